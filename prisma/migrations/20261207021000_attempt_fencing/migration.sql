-- Fencing of training attempts: every row a run or retrain attempt writes names the attempt that
-- wrote it, and a write is refused unless that attempt still owns the run (Run.attempt) or retrain
-- (Retrain.attempt). A stale attempt (its heartbeat timed out, its worker was partitioned) can then
-- neither overwrite a newer attempt's checkpoint or curve nor complete the row with its own numbers.

-- AlterTable
ALTER TABLE "Retrain" ADD COLUMN "attempt" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Checkpoint" ADD COLUMN "attempt" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "RetrainCheckpoint" ADD COLUMN "attempt" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "CurvePoint" ADD COLUMN "attempt" INTEGER NOT NULL DEFAULT 0;

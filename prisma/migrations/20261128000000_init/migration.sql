-- Initial MorphSweep store. Kept by hand in step with prisma/schema.prisma, using Prisma's own names for
-- types, constraints and indexes (<Model>_pkey, <Model>_<fields>_key, <Model>_<fields>_idx,
-- <Model>_<field>_fkey) so the generated client and any later `prisma migrate diff` agree with it.

-- CreateEnum
CREATE TYPE "SweepStatus" AS ENUM ('queued', 'running', 'completed', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('pending', 'running', 'completed', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "Sweep" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "SweepStatus" NOT NULL DEFAULT 'queued',
    "tags" TEXT[],
    "config" JSONB NOT NULL,
    "seedCost" JSONB,
    "costAxis" TEXT NOT NULL,
    "seedAccuracy" DOUBLE PRECISION,
    "idempotencyKey" TEXT,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Sweep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Run" (
    "id" TEXT NOT NULL,
    "sweepId" TEXT NOT NULL,
    "strength" DOUBLE PRECISION NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "seed" INTEGER NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'pending',
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "step" INTEGER NOT NULL DEFAULT 0,
    "totalSteps" INTEGER NOT NULL,
    "workerIdentity" TEXT,
    "costFlops" DOUBLE PRECISION,
    "costModelSize" DOUBLE PRECISION,
    "costLatencyNs" DOUBLE PRECISION,
    "valAccuracy" DOUBLE PRECISION,
    "testAccuracy" DOUBLE PRECISION,
    "structure" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CurvePoint" (
    "runId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "taskLoss" DOUBLE PRECISION NOT NULL,
    "regLoss" DOUBLE PRECISION NOT NULL,
    "cost" DOUBLE PRECISION NOT NULL,
    "valAccuracy" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CurvePoint_pkey" PRIMARY KEY ("runId","step")
);

-- CreateTable
CREATE TABLE "Checkpoint" (
    "runId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "weights" BYTEA NOT NULL,
    "optimizerState" BYTEA NOT NULL,
    "rngState" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Checkpoint_pkey" PRIMARY KEY ("runId")
);

-- CreateTable
CREATE TABLE "Retrain" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'pending',
    "widthMultiplier" DOUBLE PRECISION,
    "targetCost" DOUBLE PRECISION,
    "costAxis" TEXT NOT NULL,
    "structure" JSONB,
    "step" INTEGER NOT NULL DEFAULT 0,
    "totalSteps" INTEGER NOT NULL,
    "costFlops" DOUBLE PRECISION,
    "costModelSize" DOUBLE PRECISION,
    "costLatencyNs" DOUBLE PRECISION,
    "valAccuracy" DOUBLE PRECISION,
    "testAccuracy" DOUBLE PRECISION,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Retrain_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Sweep_idempotencyKey_key" ON "Sweep"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Sweep_status_createdAt_idx" ON "Sweep"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Run_sweepId_status_idx" ON "Run"("sweepId", "status");

-- CreateIndex
CREATE INDEX "Run_sweepId_costFlops_idx" ON "Run"("sweepId", "costFlops");

-- CreateIndex
CREATE INDEX "Run_sweepId_costModelSize_idx" ON "Run"("sweepId", "costModelSize");

-- CreateIndex
CREATE INDEX "Run_sweepId_costLatencyNs_idx" ON "Run"("sweepId", "costLatencyNs");

-- CreateIndex
CREATE UNIQUE INDEX "Run_sweepId_strength_threshold_seed_key" ON "Run"("sweepId", "strength", "threshold", "seed");

-- CreateIndex
CREATE INDEX "Retrain_runId_idx" ON "Retrain"("runId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CurvePoint" ADD CONSTRAINT "CurvePoint_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Checkpoint" ADD CONSTRAINT "Checkpoint_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Retrain" ADD CONSTRAINT "Retrain_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

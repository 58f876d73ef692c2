-- Evidence: a learned structure retrained over several seeds beside the uniformly thinned seed network
-- at the same cost (and optionally both expanded to a second target); its arms are Retrain rows.
CREATE TABLE "Evidence" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'pending',
    "seeds" INTEGER NOT NULL,
    "expandTo" DOUBLE PRECISION,
    "costAxis" TEXT NOT NULL,
    "summary" JSONB,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Evidence_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Evidence_runId_idx" ON "Evidence"("runId");

ALTER TABLE "Evidence" ADD CONSTRAINT "Evidence_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A retrain that is one arm of an evidence run: which arm and which seed.
ALTER TABLE "Retrain" ADD COLUMN "evidenceId" TEXT;
ALTER TABLE "Retrain" ADD COLUMN "arm" TEXT;
ALTER TABLE "Retrain" ADD COLUMN "seed" INTEGER;

CREATE INDEX "Retrain_evidenceId_idx" ON "Retrain"("evidenceId");

ALTER TABLE "Retrain" ADD CONSTRAINT "Retrain_evidenceId_fkey" FOREIGN KEY ("evidenceId") REFERENCES "Evidence"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A target-cost sweep's rounds and outcome (src/sweep/target-search.ts TargetSearchState).
ALTER TABLE "Sweep" ADD COLUMN "targetSearch" JSONB;

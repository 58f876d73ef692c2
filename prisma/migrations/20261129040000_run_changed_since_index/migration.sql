-- The progress stream polls each open sweep for runs changed since its last poll (every second per
-- client): an index on (sweepId, updatedAt) reads only those, not every run of the sweep.
-- CreateIndex
CREATE INDEX "Run_sweepId_updatedAt_idx" ON "Run"("sweepId", "updatedAt");

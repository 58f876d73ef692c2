-- The front endpoint's fingerprint (count and latest update of a sweep's completed runs) as an
-- index-only scan, instead of reading every run row of the sweep on each request.
-- CreateIndex
CREATE INDEX "Run_sweepId_status_updatedAt_idx" ON "Run"("sweepId", "status", "updatedAt");

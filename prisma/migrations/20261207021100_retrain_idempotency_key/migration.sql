-- A retrain request retried with the same Idempotency-Key (API, CLI, the dashboard's double click)
-- finds the retrain it made instead of training twice.

-- AlterTable
ALTER TABLE "Retrain" ADD COLUMN "idempotencyKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Retrain_idempotencyKey_key" ON "Retrain"("idempotencyKey");

-- CreateTable
CREATE TABLE "RetrainCheckpoint" (
    "retrainId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "weights" BYTEA NOT NULL,
    "optimizerState" BYTEA NOT NULL,
    "rngState" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RetrainCheckpoint_pkey" PRIMARY KEY ("retrainId")
);

-- AddForeignKey
ALTER TABLE "RetrainCheckpoint" ADD CONSTRAINT "RetrainCheckpoint_retrainId_fkey" FOREIGN KEY ("retrainId") REFERENCES "Retrain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

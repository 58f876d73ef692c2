-- A user's own network, stored once under the sha256 of its topology and weights (src/models/user-model-json.ts).
CREATE TABLE "UserModel" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "topology" JSONB NOT NULL,
    "weightSpecs" JSONB,
    "weights" BYTEA,
    "sizeBytes" INTEGER NOT NULL,
    "summary" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UserModel_pkey" PRIMARY KEY ("id")
);

-- Which user model a sweep swept (null: a seed network).
ALTER TABLE "Sweep" ADD COLUMN "userModelId" TEXT;
CREATE INDEX "Sweep_userModelId_idx" ON "Sweep"("userModelId");
ALTER TABLE "Sweep" ADD CONSTRAINT "Sweep_userModelId_fkey" FOREIGN KEY ("userModelId") REFERENCES "UserModel"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The retrained network as a TF.js Layers model (model.json topology + one weights file).
CREATE TABLE "RetrainExport" (
    "retrainId" TEXT NOT NULL,
    "topology" JSONB NOT NULL,
    "weightSpecs" JSONB NOT NULL,
    "weights" BYTEA NOT NULL,
    "metadata" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RetrainExport_pkey" PRIMARY KEY ("retrainId")
);

ALTER TABLE "RetrainExport" ADD CONSTRAINT "RetrainExport_retrainId_fkey" FOREIGN KEY ("retrainId") REFERENCES "Retrain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

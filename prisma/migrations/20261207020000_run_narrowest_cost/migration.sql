-- Costs of a learned structure rebuilt at the narrowest width: the lowest target a retrain can meet.
ALTER TABLE "Run" ADD COLUMN "narrowestCost" JSONB;

-- The TF.js engine that trained each run and retrain (src/engine engineLabel), e.g.
-- "tfjs-node 4.22.0 on TensorFlow 2.21.0 (CPU, 2 threads)"; null for rows written before it was recorded.
ALTER TABLE "Run" ADD COLUMN "engine" TEXT;
ALTER TABLE "Retrain" ADD COLUMN "engine" TEXT;

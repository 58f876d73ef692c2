import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(webDir, '..');

const nextConfig: NextConfig = {
  // Tests build into their own folder (test/support/web-app.ts) so a developer's `next build web`
  // running at the same time cannot replace the build a test server is serving.
  distDir: process.env.MORPHSWEEP_NEXT_DIST_DIR || '.next',
  // The app imports the core from ../src; Turbopack resolves only inside its root.
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
  // Node-only clients (native bindings, wasm, gRPC) stay out of the bundle and load from node_modules.
  serverExternalPackages: [
    '@prisma/client',
    '@prisma/adapter-pg',
    'pg',
    '@temporalio/client',
    '@temporalio/common',
    '@temporalio/proto',
    '@temporalio/workflow',
    '@temporalio/worker',
    '@temporalio/core-bridge',
    '@grpc/grpc-js',
    // TF.js checks uploaded models (POST /api/models, sweeps of a user's model) in the server.
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-layers',
    '@tensorflow/tfjs-backend-cpu',
    '@tensorflow/tfjs-backend-wasm',
  ],
  // `npm run typecheck` checks web/ together with src/ under one strict tsconfig; checking again here
  // would double a build that already takes most of a minute on the CI machine.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;

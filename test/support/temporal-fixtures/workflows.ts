import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from './activities.ts';

const { describeNumbers } = proxyActivities<typeof activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

/** Doubles the activity's sum, so the result shows both the workflow and the activity ran. */
export async function sumTwiceWorkflow(numbers: number[]): Promise<{ doubledSum: number; workerPid: number; workflowId: string }> {
  const { sum, workerPid } = await describeNumbers(numbers);
  return { doubledSum: sum * 2, workerPid, workflowId: workflowInfo().workflowId };
}

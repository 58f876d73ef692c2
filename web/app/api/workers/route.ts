import { describeWorkers } from '../../../../src/temporal/pollers.ts';
import { taskQueueFromEnv } from '../../../../src/temporal/task-queues.ts';
import { jsonResponse } from '../../../lib/server/responses.ts';
import { apiRoute } from '../../../lib/server/route.ts';
import { getTemporalClient } from '../../../lib/server/services.ts';

/** Which workers poll this deployment's task queues, per Temporal's DescribeTaskQueue. */
export const GET = apiRoute(async () => jsonResponse(await describeWorkers(await getTemporalClient(), taskQueueFromEnv())));

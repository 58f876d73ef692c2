'use client';

import { useRouter } from 'next/navigation';
import { NewSweepForm } from '../../../components/NewSweepForm.tsx';
import { createSweep } from '../../../hooks/dashboard-actions.ts';

export function NewSweepView() {
  const router = useRouter();
  return (
    <>
      <h1>New sweep</h1>
      <p className="muted">
        One structure-learning run per strength × threshold × seed. Checked here with the same schema the API applies.
      </p>
      <NewSweepForm
        onSubmit={async (config) => {
          const outcome = await createSweep(config);
          if (outcome.ok) router.push(`/sweeps/${encodeURIComponent(outcome.sweepId)}`);
          return outcome;
        }}
      />
    </>
  );
}

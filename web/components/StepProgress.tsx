/** Training progress of one run or retrain: step of total. */
export function StepProgress({ step, totalSteps, label }: { step: number; totalSteps: number; label: string }) {
  return (
    <span className="step-progress">
      <progress max={Math.max(1, totalSteps)} value={Math.min(step, totalSteps)} aria-label={label} />
      <span>
        step {step}/{totalSteps}
      </span>
    </span>
  );
}

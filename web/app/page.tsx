import { SweepsView } from './sweeps-view.tsx';

export default function SweepsPage() {
  return <SweepsView />;
}

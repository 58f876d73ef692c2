import type { Metadata } from 'next';
import { NewSweepView } from './new-sweep-view.tsx';

export const metadata: Metadata = { title: 'New sweep' };

export default function NewSweepPage() {
  return <NewSweepView />;
}

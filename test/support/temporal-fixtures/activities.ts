/** A tiny activity for the round-trip test: proves the worker ran real code on the real server. */
export async function describeNumbers(numbers: number[]): Promise<{ sum: number; workerPid: number }> {
  return { sum: numbers.reduce((total, value) => total + value, 0), workerPid: process.pid };
}

import { loadIdxDirectory } from './idx-directory.ts';
import type { RawDataset } from './types.ts';

/** Where Debian's dataset-fashion-mnist package puts the four IDX gzip files. */
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_DIR_ENV = 'MORPHSWEEP_FASHION_MNIST_DIR';

export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** The directory to read: the spec's own `fashion-mnist:<dir>`, else the environment, else Debian's path. */
export function resolveFashionMnistDir(dirFromSpec: string | undefined): string {
  return dirFromSpec || process.env[FASHION_MNIST_DIR_ENV] || DEFAULT_FASHION_MNIST_DIR;
}

export function loadFashionMnist(dir: string): Promise<RawDataset> {
  return loadIdxDirectory(dir, {
    name: 'fashion-mnist',
    numClasses: FASHION_MNIST_CLASS_NAMES.length,
    classNames: FASHION_MNIST_CLASS_NAMES,
    missingHint:
      `Install Fashion-MNIST with \`apt-get install dataset-fashion-mnist\` (files go to ${DEFAULT_FASHION_MNIST_DIR}), ` +
      `or point ${FASHION_MNIST_DIR_ENV} or the spec fashion-mnist:<dir> at a directory holding ` +
      `train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.`,
  });
}

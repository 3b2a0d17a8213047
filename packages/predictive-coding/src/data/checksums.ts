/**
 * Where the standard datasets live and their SHA-256 sums. Downloads must
 * match these. MNIST's and Fashion-MNIST's come from the project's verified
 * copies (shared/data/<name>/SHA256SUMS). CIFAR-10's is the one TensorFlow
 * Datasets pins for the official tarball (tensorflow/datasets,
 * tensorflow_datasets/url_checksums/cifar10.txt: 170,052,171 bytes), the
 * same sum torchvision's Ruby port and Julia's MLDatasets pin; torchvision
 * itself pins its MD5, c32a1d4ab5d03f1284b67883e8d87530.
 */
import { CIFAR_FOLDER, CIFAR_TEST_FILE, CIFAR_TRAIN_FILES } from './cifar.ts';

/** A dataset `pcn data download` fetches. */
export type DatasetName = 'mnist' | 'fashion-mnist' | 'cifar10';

/** Every DatasetName. */
export const DATASET_NAMES: readonly DatasetName[] = ['mnist', 'fashion-mnist', 'cifar10'];

/** Where a dataset's files are downloaded from, and the SHA-256 each must have. */
export interface DatasetSource {
  /** Base URLs tried in order; each serves every file of `sha256`. */
  readonly mirrors: readonly string[];
  /** File name → lowercase hex SHA-256. */
  readonly sha256: Readonly<Record<string, string>>;
  /**
   * For a dataset shipped as one .tar.gz: the folder (beside the archive)
   * that its members are extracted into, and their file names; the archive
   * holds them as `folder/file`, and every one must be there.
   */
  readonly extract?: { readonly folder: string; readonly members: readonly string[] };
}

/** The mirrors and checksums of each dataset (the official files). */
export const DATASET_SOURCES: Readonly<Record<DatasetName, DatasetSource>> = {
  mnist: {
    mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'],
    sha256: {
      'train-images-idx3-ubyte.gz': '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
      'train-labels-idx1-ubyte.gz': '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
      't10k-images-idx3-ubyte.gz': '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
      't10k-labels-idx1-ubyte.gz': 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    },
  },
  'fashion-mnist': {
    mirrors: [
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
      'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
    ],
    sha256: {
      'train-images-idx3-ubyte.gz': '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
      'train-labels-idx1-ubyte.gz': 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
      't10k-images-idx3-ubyte.gz': '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
      't10k-labels-idx1-ubyte.gz': '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
    },
  },
  cifar10: {
    // The authors' site is the only source known to serve these exact bytes; --mirror adds others, and the sum decides.
    mirrors: ['https://www.cs.toronto.edu/~kriz/'],
    sha256: { 'cifar-10-binary.tar.gz': 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd' },
    extract: {
      folder: CIFAR_FOLDER,
      members: [...CIFAR_TRAIN_FILES, CIFAR_TEST_FILE, 'batches.meta.txt', 'readme.html'],
    },
  },
};

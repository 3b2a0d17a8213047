/**
 * A deliberately plain float64 predictive coding network, written from DESIGN §2
 * with nested loops over numbers and no library code: the independent oracle
 * for the learning-while-relaxing tests. Only what those tests need: dense
 * layers, linear/tanh activations, squared-error energy, SGD on x (with
 * momentum) and plain SGD on W, b (and B for learned feedback).
 */

export type NaiveActivation = 'linear' | 'tanh';

export interface NaiveNet {
  sizes: number[];
  /** f_l for l = 0…L. */
  act: NaiveActivation[];
  rows: number;
  /** x[l][r*n_l + i]. */
  x: number[][];
  /** Relaxation velocity per layer. */
  v: number[][];
  /** W[l][i*n_{l−1} + j] for l = 1…L (index 0 unused). */
  W: number[][];
  b: number[][];
  /** B[l][j*n_l + i], stored [n_{l−1}, n_l], for learned feedback; empty otherwise. */
  B: number[][];
  learnedFeedback: boolean;
}

const f = (a: NaiveActivation, x: number): number => (a === 'tanh' ? Math.tanh(x) : x);
const df = (a: NaiveActivation, x: number): number => (a === 'tanh' ? 1 - Math.tanh(x) ** 2 : 1);

/** eps_l = x_l − (f(x_{l−1})·W_lᵀ + b_l) for l = 1…L (eps[0] empty) and E = Σ ½‖eps‖². */
export function naiveErrors(net: NaiveNet): { eps: number[][]; E: number } {
  const { sizes, rows } = net;
  const eps: number[][] = [[]];
  let E = 0;
  for (let l = 1; l < sizes.length; l++) {
    const e: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < sizes[l]; i++) {
        let mu = net.b[l][i];
        for (let j = 0; j < sizes[l - 1]; j++) mu += net.W[l][i * sizes[l - 1] + j] * f(net.act[l - 1], net.x[l - 1][r * sizes[l - 1] + j]);
        const d = net.x[l][r * sizes[l] + i] - mu;
        e.push(d);
        E += 0.5 * d * d;
      }
    }
    eps.push(e);
  }
  return { eps, E };
}

/** ∂E/∂x_l for every layer (B_{l+1}ᵀ in place of W_{l+1} with learned feedback). */
function valueGradients(net: NaiveNet, eps: number[][]): number[][] {
  const { sizes, rows } = net;
  const L = sizes.length - 1;
  const out: number[][] = [];
  for (let l = 0; l <= L; l++) {
    const g: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < sizes[l]; i++) {
        let d = l > 0 ? eps[l][r * sizes[l] + i] : 0;
        if (l < L) {
          let s = 0;
          for (let k = 0; k < sizes[l + 1]; k++) {
            const m = net.learnedFeedback ? net.B[l + 1][i * sizes[l + 1] + k] : net.W[l + 1][k * sizes[l] + i];
            s += eps[l + 1][r * sizes[l + 1] + k] * m;
          }
          d -= df(net.act[l], net.x[l][r * sizes[l] + i]) * s;
        }
        g.push(d);
      }
    }
    out.push(g);
  }
  return out;
}

/** Moves the free layers by one SGD-with-momentum step from the errors `eps` of the current state. */
function moveValues(net: NaiveNet, eps: number[][], free: boolean[], lr: number, momentum: number): void {
  const grads = valueGradients(net, eps);
  for (let l = 0; l < net.sizes.length; l++) {
    if (!free[l]) continue;
    for (let i = 0; i < net.x[l].length; i++) {
      net.v[l][i] = momentum * net.v[l][i] + grads[l][i];
      net.x[l][i] -= lr * net.v[l][i];
    }
  }
}

/**
 * The Hebbian step W_l −= lr·(−(1/rows)·ẽ_lᵀ·f(x_{l−1})), b_l likewise, and
 * B_l −= lr·(−(1/rows)·f(x_{l−1})ᵀ·ẽ_l), from `eps` and the current x, where
 * ẽ_l = eps_l / (1 + (v_l/θ)²) on hidden layers when a stillness θ is given.
 */
function learn(net: NaiveNet, eps: number[][], lr: number, stillness?: number): void {
  const { sizes, rows } = net;
  const L = sizes.length - 1;
  for (let l = 1; l <= L; l++) {
    const e = eps[l].map((d, i) => (stillness !== undefined && l < L ? d / (1 + (net.v[l][i] / stillness) ** 2) : d));
    const gW = new Array<number>(sizes[l] * sizes[l - 1]).fill(0);
    const gb = new Array<number>(sizes[l]).fill(0);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < sizes[l]; i++) {
        gb[i] -= e[r * sizes[l] + i] / rows;
        for (let j = 0; j < sizes[l - 1]; j++) gW[i * sizes[l - 1] + j] -= (e[r * sizes[l] + i] * f(net.act[l - 1], net.x[l - 1][r * sizes[l - 1] + j])) / rows;
      }
    }
    for (let i = 0; i < sizes[l]; i++) {
      net.b[l][i] -= lr * gb[i];
      for (let j = 0; j < sizes[l - 1]; j++) {
        net.W[l][i * sizes[l - 1] + j] -= lr * gW[i * sizes[l - 1] + j];
        if (net.learnedFeedback) net.B[l][j * sizes[l] + i] -= lr * gW[i * sizes[l - 1] + j];
      }
    }
  }
}

/** Incremental PC: x and the weights both move from the same state, at the same time. */
export function naiveIncrementalStep(net: NaiveNet, free: boolean[], lrX: number, momentum: number, lrW: number): void {
  const { eps } = naiveErrors(net);
  const before = net.x.map((a) => [...a]);
  moveValues(net, eps, free, lrX, momentum);
  // The weights learn from the state the x step read: swap the old x back in for the Hebbian product.
  const after = net.x;
  net.x = before;
  learn(net, eps, lrW);
  net.x = after;
}

/** Learning after each step (the streaming schedule): x moves, then the weights learn from the errors x moved into. */
export function naiveStepThenLearn(net: NaiveNet, free: boolean[], lrX: number, momentum: number, lrW: number, stillness?: number): void {
  moveValues(net, naiveErrors(net).eps, free, lrX, momentum);
  learn(net, naiveErrors(net).eps, lrW, stillness);
}

/** Forward initialisation: each free layer l ≥ 1 set to its prediction from the (already set) layer below. */
export function naiveForwardInit(net: NaiveNet, free: boolean[]): void {
  const { sizes, rows } = net;
  for (let l = 1; l < sizes.length; l++) {
    if (!free[l]) continue;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < sizes[l]; i++) {
        let mu = net.b[l][i];
        for (let j = 0; j < sizes[l - 1]; j++) mu += net.W[l][i * sizes[l - 1] + j] * f(net.act[l - 1], net.x[l - 1][r * sizes[l - 1] + j]);
        net.x[l][r * sizes[l] + i] = mu;
      }
    }
  }
}

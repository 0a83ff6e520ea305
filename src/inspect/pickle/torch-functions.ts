import { toPython3 } from './compat.js';
import type { PickleRun } from './result.js';
import type { GlobalRef } from './values.js';

/** The class behind `torch.<op>` builtins: pickle saves `torch.tanh` as `getattr(torch._C._VariableFunctionsClass, 'tanh')`. */
const OWNER = 'torch._C._VariableFunctionsClass';

/**
 * Public tensor-math functions of that class a module keeps as an attribute (`self.act = torch.tanh`) and
 * `torch.save(model)` pickles by reference. Pure functions of tensors, no in-place or `_` names: never `from_file`
 * or another op that reaches outside its arguments.
 */
const TENSOR_FUNCTIONS: ReadonlySet<string> = new Set(
  (
    'abs acos asin atan atan2 add sub mul div true_divide floor_divide remainder fmod pow exp exp2 expm1 log log1p ' +
    'log2 log10 sqrt rsqrt square sign neg reciprocal sin cos tan sinh cosh tanh asinh acosh atanh erf erfc sigmoid ' +
    'logit relu selu celu rrelu prelu hardshrink threshold softmax log_softmax logsumexp clamp clip clamp_min ' +
    'clamp_max floor ceil round trunc frac maximum minimum max min mean sum prod std var norm cumsum cumprod matmul ' +
    'mm bmm addmm dot einsum cat stack concat flatten reshape squeeze unsqueeze transpose permute where dropout ' +
    'layer_norm batch_norm group_norm instance_norm conv1d conv2d conv3d avg_pool1d max_pool1d max_pool2d ' +
    'adaptive_avg_pool1d isnan isinf isfinite argmax argmin topk sort'
  ).split(' '),
);

const isOwner = (g: GlobalRef): boolean => {
  const py3 = toPython3(g.module, g.name);
  return `${py3.module}.${py3.name}` === OWNER;
};

/** `getattr(torch._C._VariableFunctionsClass, '<tensor function>')`: CPython's reference to `torch.<op>`. */
export function isTorchFunctionAccess(owner: GlobalRef, attr: string): boolean {
  return isOwner(owner) && TENSOR_FUNCTIONS.has(attr);
}

/**
 * The `_VariableFunctionsClass` global is explained when the stream only reads tensor functions off it through
 * getattr and never calls or builds it (torch/serialization.py `_load` → pickle's `find_class` and getattr: no code).
 */
export function torchFunctionOwnerExplained(run: PickleRun, g: GlobalRef): boolean {
  if (!isOwner(g)) return false;
  const uses = (run.memberAccesses ?? []).filter((a) => a.owner?.module === g.module && a.owner.name === g.name);
  if (uses.length === 0 || !uses.every((a) => a.attr !== undefined && TENSOR_FUNCTIONS.has(a.attr))) return false;
  for (const c of run.calls.values()) if (c.target?.module === g.module && c.target.name === g.name) return false;
  return true;
}

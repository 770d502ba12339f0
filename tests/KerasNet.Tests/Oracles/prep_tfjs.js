// tfjs-core's image kernels as an oracle for KerasNet's preprocessing layers: tfjs-backend-cpu transcribes
// TensorFlow's ResizeBilinear / ResizeNearestNeighbor (with halfPixelCenters, what TF2's tf.image.resize uses) and
// ImageProjectiveTransformV3 (tf.image.transform), independently of KerasNet.
// usage: node prep_tfjs.js PAYLOAD.json   (NODE_PATH must reach @tensorflow/tfjs)
// PAYLOAD: {"cases": [case...]}, each case one of
//   {"kind": "resize", "method": "bilinear"|"nearest", "size": [h, w], "x": T, "r": T, "grad": bool}
//       -> {"y": T, "dx": T (when grad: the input gradient of sum(resize(x) * r))}
//   {"kind": "transform", "x": T, "t": [8 numbers per image], "interpolation", "fill_mode", "fill_value"}
//       -> {"y": T}
// with T = {"shape": [...], "values": [...]}. Prints {"results": [...]} on stdout.
// tfjs quirks handled here (tfjs 4.22):
// * tf.image.transform's CPU kernel returns after the first image of a batch (the rest is left at the fill value),
//   so each image is transformed on its own.
// * The gradients of resizeBilinear and resizeNearestNeighbor ignore halfPixelCenters (they are TF1's legacy
//   gradients), and resizeBilinear's swaps height and width of its shape when they differ: "grad" exists for
//   completeness, but they are no oracle for TF2's tf.image.resize gradients.
const fs = require('fs');
const tf = require('@tensorflow/tfjs');

const tensorOf = t => tf.tensor(t.values, t.shape, 'float32');
const dump = t => ({ shape: t.shape, values: Array.from(t.dataSync()) });

function resize(c) {
  const f = c.method === 'bilinear' ? tf.image.resizeBilinear : tf.image.resizeNearestNeighbor;
  const run = a => f(a, c.size, false, true);
  const x = tensorOf(c.x);
  const out = { y: dump(run(x)) };
  if (c.grad) {
    const r = tensorOf(c.r);
    out.dx = dump(tf.grad(a => tf.sum(tf.mul(run(a), r)))(x));
  }
  return out;
}

function transform(c) {
  const x = tensorOf(c.x);
  const n = c.x.shape[0];
  const parts = [];
  for (let b = 0; b < n; b++) {
    const img = x.slice([b, 0, 0, 0], [1, -1, -1, -1]);
    const t = tf.tensor2d(c.t.slice(b * 8, b * 8 + 8), [1, 8], 'float32');
    parts.push(tf.image.transform(img, t, c.interpolation, c.fill_mode, c.fill_value));
  }
  return { y: dump(tf.concat(parts, 0)) };
}

const payload = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const results = payload.cases.map(c => {
  if (c.kind === 'resize') return resize(c);
  if (c.kind === 'transform') return transform(c);
  throw new Error(`unknown case kind ${c.kind}`);
});
process.stdout.write(JSON.stringify({ results }));

// Independent Keras implementation (tfjs-layers) of fit with class_weight: one Dense layer, plain SGD, batches in
// order (shuffle false). tfjs maps each target to its class (argmax of one-hot rows, else the index) and multiplies
// the per-sample losses by the class weights before the batch mean, as tf.keras 2.4's data adapter and
// compute_weighted_loss do.
//
// usage: node losses_fit_tfjs.js PAYLOAD.json
// PAYLOAD: {"units", "activation", "loss" (tfjs name: "categoricalCrossentropy", "meanSquaredError", ...),
//           "kernel": {"shape", "values"}, "bias": {"shape", "values"}, "x": {"shape", "values"}, "y": {"shape", "values"},
//           "class_weight": {"0": w0, ...}, "lr", "batch_size", "epochs"}
// Prints {"kernel": [...], "bias": [...], "loss": [per epoch]} on stdout.
const fs = require('fs');
const tf = require('@tensorflow/tfjs');

async function main() {
  const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const t = (o) => tf.tensor(o.values, o.shape, 'float32');
  const x = t(p.x);
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: p.units, activation: p.activation, inputShape: p.x.shape.slice(1) })],
  });
  model.setWeights([t(p.kernel), t(p.bias)]);
  model.compile({ optimizer: tf.train.sgd(p.lr), loss: p.loss });
  const classWeight = {};
  for (const [k, v] of Object.entries(p.class_weight)) classWeight[Number(k)] = v;
  const h = await model.fit(x, t(p.y), { batchSize: p.batch_size, epochs: p.epochs, shuffle: false, classWeight, verbose: 0 });
  const [k, b] = model.getWeights();
  process.stdout.write(JSON.stringify({ kernel: Array.from(await k.data()), bias: Array.from(await b.data()), loss: h.history.loss }));
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });

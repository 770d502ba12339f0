// tfjs-layers (an independent Keras) running model.fit on a small Sequential of Dense layers, for the fit options
// tests (FitOptionsTfjsTests). Builds the model, sets the given weights, compiles with plain SGD and runs fit with
// the given options (validationSplit, validationData, initialEpoch, batchSize, epochs; shuffle is always false so
// both sides see the same batches), then prints the History and the weights after training.
//
// usage: node fit_tfjs.js PAYLOAD.json
// PAYLOAD: {"input_dim": n, "layers": [{"units", "activation"}...], "weights": [{"shape","values"}...] (kernel, bias
//   per layer), "x", "y": {"shape","values"}, "val_x", "val_y": optional, "loss", "metrics": [...], "lr",
//   "batch_size", "epochs", "initial_epoch", "validation_split"}
// Prints {"history": {key: [values per epoch]}, "epoch": [...], "weights_after": [{"shape","values"}...]}.
// tfjs names the accuracy metric "acc" in its History; it is reported under Keras 2.4's "accuracy".
const fs = require('fs');
const tf = require('@tensorflow/tfjs');

function tensor(a) { return tf.tensor(a.values, a.shape, 'float32'); }

async function main() {
  const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const model = tf.sequential();
  p.layers.forEach((l, i) => model.add(tf.layers.dense(Object.assign(
    { units: l.units, activation: l.activation || 'linear' }, i === 0 ? { inputShape: [p.input_dim] } : {}))));
  model.setWeights(p.weights.map(tensor));
  model.compile({ optimizer: tf.train.sgd(p.lr), loss: p.loss, metrics: p.metrics || [] });
  const args = { batchSize: p.batch_size, epochs: p.epochs, shuffle: false, verbose: 0 };
  if (p.initial_epoch) args.initialEpoch = p.initial_epoch;
  if (p.validation_split) args.validationSplit = p.validation_split;
  if (p.val_x) args.validationData = [tensor(p.val_x), tensor(p.val_y)];
  const h = await model.fit(tensor(p.x), tensor(p.y), args);
  const history = {};
  for (const [k, v] of Object.entries(h.history)) {
    const name = k.replace(/^(val_)?acc$/, '$1accuracy');
    history[name] = v.map(e => (typeof e === 'number' ? e : e.dataSync()[0]));
  }
  const weights = model.getWeights().map(w => ({ shape: w.shape, values: Array.from(w.dataSync()) }));
  process.stdout.write(JSON.stringify({ history, epoch: h.epoch, weights_after: weights }));
}

main().catch(e => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });

// Independent Keras implementation (tfjs-layers): builds a model from KerasNet's to_json() text, sets the weights
// KerasNet saved, and predicts.
// usage: node saving_tfjs_predict.js PAYLOAD.json
// PAYLOAD: {"model": "<to_json text>", "weights": [{"shape": [...], "values": [...]}, ...],
//           "input": {"shape": [...], "values": [...]}}
// Prints {"shape": [...], "values": [...], "layers": [class names]}.
const fs = require('fs');
const tf = require('@tensorflow/tfjs');

async function main() {
  const payload = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  // modelFromJSON takes the Keras topology object itself ({"class_name", "config", ...}).
  const model = await tf.models.modelFromJSON(JSON.parse(payload.model));
  const weights = payload.weights.map(w => tf.tensor(w.values, w.shape, 'float32'));
  if (weights.length !== model.weights.length) {
    throw new Error(`tfjs model has ${model.weights.length} weights, KerasNet saved ${weights.length}`);
  }
  model.weights.forEach((w, i) => {
    if (JSON.stringify(w.shape) !== JSON.stringify(payload.weights[i].shape)) {
      throw new Error(`weight ${i} (${w.name}): tfjs shape ${w.shape}, KerasNet ${payload.weights[i].shape}`);
    }
  });
  model.setWeights(weights);
  const x = tf.tensor(payload.input.values, payload.input.shape, 'float32');
  const y = model.predict(x);
  process.stdout.write(JSON.stringify({
    shape: y.shape,
    values: Array.from(await y.data()),
    layers: model.layers.map(l => l.getClassName()),
  }));
}

main().catch(e => { console.error(e.stack || String(e)); process.exit(1); });

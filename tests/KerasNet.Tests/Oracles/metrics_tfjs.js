// Independent Keras metric functions (tfjs-layers 4.x tf.metrics) for KerasNet's metric tests.
// usage: node metrics_tfjs.js CASES.json
// CASES: [{"fn": tfjs metric name ("binaryAccuracy", "categoricalAccuracy", "sparseCategoricalAccuracy", "precision",
//          "recall", "meanSquaredError", "meanAbsoluteError", "MAPE", "categoricalCrossentropy"),
//          "y_true": [...], "true_shape": [...], "y_pred": [...], "pred_shape": [...], "threshold": optional}]
// precision/recall take 0/1 predictions in tfjs: the scores are thresholded (> threshold, default 0.5) first, as
// Keras's Precision()/Recall() do with their default threshold.
// Prints a JSON list: the mean of each metric's per-row values (precision/recall are already one number).
const fs = require('fs');
const tf = require('@tensorflow/tfjs');

const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = cases.map(c => tf.tidy(() => {
  const yTrue = tf.tensor(c.y_true, c.true_shape, 'float32');
  let yPred = tf.tensor(c.y_pred, c.pred_shape, 'float32');
  if (c.fn === 'precision' || c.fn === 'recall') {
    yPred = tf.cast(tf.greater(yPred, tf.scalar(c.threshold ?? 0.5)), 'float32');
  }
  const v = tf.metrics[c.fn](yTrue, yPred);
  return tf.mean(v).dataSync()[0];
}));
process.stdout.write(JSON.stringify(out));

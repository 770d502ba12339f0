// Independent Keras implementation (tfjs-layers) for Functional / Sequential graphs: multi-input, multi-output,
// merge layers, shared layers, nested models. Builds the model from Keras to_json() text, sets the weights,
// predicts every output, and optionally runs ONE full-batch SGD step (trainOnBatch) and reports the new weights.
//
// usage: node graph_tfjs.js PAYLOAD.json
// PAYLOAD:
//   "model":        Keras to_json() text (string) or the parsed object; Sequential, or Functional ("Functional"
//                   or "Model"), possibly nested. A full-model {"model_config": ...} object is accepted too.
//   "weights":      [{"shape": [...], "values": [...]}, ...] in Keras 2.4 model.weights / get_weights() order
//                   (see kerasOrderWeights below).
//   "inputs":       [{"shape", "values"}, ...], one per model input, in "input_layers" order.
//   "targets":      optional, [{"shape", "values"}, ...], one per output, in "output_layers" order. When present,
//                   the model is compiled and trained for one step.
//   "losses":       one per output: "categorical_crossentropy" | "mean_squared_error" | "binary_crossentropy" |
//                   "sparse_categorical_crossentropy" (also "mse", "mae", "mean_absolute_error" and the tfjs
//                   camelCase names). Default "mean_squared_error".
//   "loss_weights": optional, one number per output (default 1 each).
//   "sgd_lr":       optional SGD learning rate (default 0.01, Keras's SGD default).
//   "trainable":    optional {layerName: false, ...}; those layers (found at any nesting depth, nested models
//                   included) are frozen after the weights are set and before compile.
//   "apply_constraints": optional true: after the step, each trainable weight with a constraint is projected by
//                   tfjs's own constraint (see the quirks below).
// Prints one JSON object on stdout:
//   {"outputs": [{"shape","values"}...],            predictions with the given weights, one per output
//    "weight_names": [...],                         tfjs originalName of each weight, in the payload's order
//    "loss": number, "losses": [per output]         only when trained: the loss at the weights BEFORE the step
//    "weights_after": [{"name","shape","values"}]}  only when trained: in the payload's weight order
// Errors go to stderr with exit code 1.
//
// tfjs quirks handled here (tfjs-layers 4.22):
// * Class names: tf.keras 2.4 writes "Functional" for graph models; older Keras and tfjs write "Model". tfjs 4.x
//   registers both ("Functional" is a plain subclass of LayersModel) but older tfjs only knows "Model", so every
//   "Functional" class_name is renamed to "Model" before loading, recursively (nested models included).
// * Nested models and node indices: a graph model built from an Input owns a node 0 linking its inputs to its
//   outputs; Keras 2.4 (_should_skip_first_node) therefore numbers the calls of a nested graph model in the outer
//   "inbound_nodes" from 1 ([["inner", 1, 0, {}]]). tfjs does the same: a Container/Sequential also owns node 0,
//   and tfjs's fromConfig indexes inboundNodes[i] directly, so Keras's indices are used as they are. A Sequential
//   that contains a Functional as first layer works with or without the InputLayer that Keras 2.4 writes first.
// * Weight order: tfjs's model.weights (and setWeights/getWeights) put ALL trainable weights first, then all
//   non-trainable ones; Keras 2.4 model.weights is per layer (layer.weights, i.e. each layer's trainable then
//   non-trainable, nested models expanded in place). They differ as soon as a layer is frozen or has non-trainable
//   weights (BatchNormalization moving stats), so weights are read and written here in Keras order.
// * convertPythonicToTs camel-cases string VALUES in the config (not "name" values nor layer names in node data).
// * sparse_categorical_crossentropy: tfjs wants targets shaped [N, 1]; a [N] target is reshaped.
// * tfjs has no Subtract layer ("Unknown layer: Subtract"). It is the one layer defined here: tfjs's own Merge base
//   class (shape checks and broadcasting, as for Add) with mergeFunction inputs[0] - inputs[1], exactly 2 inputs.
// * tfjs's compile ignores lossWeights (a TODO in tfjs-layers' training.ts), and its total loss is
//   mean(sum over outputs of the UNREDUCED per-sample losses), which broadcasts wrongly when outputs have different
//   ranks. Keras: total = sum_i loss_weights[i] * mean(loss_i). So after compile each model.lossFunctions[i] is
//   wrapped to return loss_weights[i] * (per-sample loss averaged over every axis but the batch), which makes tfjs's
//   total and gradient Keras's. (feedLossFns, which tfjs compares by identity for target-shape checks, keep the
//   originals.) The per-output "losses" reported are divided back by their weight (null where the weight is 0).
// * trainOnBatch runs with training=true: Dropout is random and BatchNormalization uses batch statistics, so keep
//   training checks to graphs without them (predictions always run in inference mode).
// * "trainable" freezes every layer of that name at any depth (names are unique only within one model).
// * weight_names are tfjs's originalName, "<layer>/<weight>" ("dense/kernel", "batch_normalization/moving_mean"),
//   without Keras's ":0" and without any outer-model prefix.
// * Constraints: Keras's optimizer projects a variable with its constraint right after updating it; tfjs's fit does
//   not (tfjs applies a LayerVariable's constraint only in write(), which training never calls; the weights given
//   are written here with the constraint set aside, as Keras's set_weights ignores it). With
//   "apply_constraints" each constrained trainable weight is written back to itself after the step, through tfjs's
//   MaxNorm/MinMaxNorm/UnitNorm/NonNeg. tfjs's regularizers (L1L2 only) are in its training loss, as in Keras.
// * tfjs categorical_crossentropy works on probabilities (p / sum(p), clipped to [1e-7, 1 - 1e-7]); tf.keras 2.4's
//   fit uses the softmax's logits instead. They agree to float32 precision unless a probability reaches the clip.
const fs = require('fs');
const tf = require('@tensorflow/tfjs');

function renameFunctional(node) {
  if (Array.isArray(node)) return node.map(renameFunctional);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = (k === 'class_name' && v === 'Functional') ? 'Model' : renameFunctional(v);
  }
  return out;
}

// tfjs-layers has no Subtract; Keras's is Merge with inputs[0] - inputs[1] for exactly two inputs.
const Merge = Object.getPrototypeOf(tf.layers.add({}).constructor);
class Subtract extends Merge {
  build(inputShape) {
    if (!Array.isArray(inputShape) || !Array.isArray(inputShape[0]) || inputShape.length !== 2) {
      throw new Error(`A Subtract layer should be called on exactly 2 inputs (layer ${this.name})`);
    }
    super.build(inputShape);
  }
  mergeFunction(inputs) {
    return tf.tidy(() => tf.sub(inputs[0], inputs[1]));
  }
}
Subtract.className = 'Subtract';
tf.serialization.registerClass(Subtract);

const MODEL_CLASSES = ['Model', 'Functional', 'Sequential'];

// Checks every [layer, node_index, tensor_index, kwargs] reference of a graph config before tfjs sees it: tfjs's
// fromConfig loops forever on a node index that never comes into existence, and reports a wrong index into a nested
// model only as "Graph disconnected". Valid indices: 0 for an InputLayer; 0..n-1 for a layer with n inbound nodes;
// 1..n for a nested model (its node 0 is its own internal node, see the header).
function checkNodeReferences(topology, where) {
  if (topology == null || typeof topology !== 'object') return;
  const cfg = topology.config;
  if (topology.class_name === 'Sequential') {
    const layers = Array.isArray(cfg) ? cfg : (cfg && cfg.layers) || [];
    layers.forEach(l => checkNodeReferences(l, `${where} > ${(l.config && l.config.name) || l.class_name}`));
    return;
  }
  if (!MODEL_CLASSES.includes(topology.class_name) || cfg == null || !Array.isArray(cfg.layers)) return;
  const valid = {};
  for (const l of cfg.layers) {
    const n = (l.inbound_nodes || []).length;
    if (l.class_name === 'InputLayer') valid[l.name] = [0, 0];
    else if (MODEL_CLASSES.includes(l.class_name)) valid[l.name] = [1, n];
    else valid[l.name] = [0, n - 1];
  }
  const check = (ref, what) => {
    if (!Array.isArray(ref)) return;
    if (typeof ref[0] !== 'string') { ref.forEach(r => check(r, what)); return; }
    const [name, index] = ref;
    const range = valid[name];
    if (range == null) throw new Error(`${where}: ${what} refers to layer '${name}', which is not in the config's layers`);
    if (!(index >= range[0] && index <= range[1])) {
      const nested = range[0] === 1 ? ` ('${name}' is a nested model: Keras numbers its calls from 1, node 0 being its own internal node)` : '';
      throw new Error(`${where}: ${what} refers to node ${index} of '${name}', valid: ` +
        (range[1] < range[0] ? 'none (it is never called)' : `${range[0]}..${range[1]}`) + nested);
    }
  };
  for (const l of cfg.layers) {
    (l.inbound_nodes || []).forEach((node, k) => check(node, `inbound node ${k} of '${l.name}'`));
    checkNodeReferences(l, `${where} > ${l.name}`);
  }
  check(cfg.input_layers, 'input_layers');
  check(cfg.output_layers, 'output_layers');
}

// Sequential and Functional ("Model") both extend LayersModel (tfjs's Container with training routines).
function isContainer(layer) {
  return layer instanceof tf.LayersModel;
}

// Keras 2.4 Model.weights: `for layer in model.layers: weights += layer.weights`, deduplicated by identity, where
// model.layers is the order of the config's "layers" list (get_config writes model.layers in order; from_config
// rebuilds the same order), a nested model expands to its own model.weights, and a plain layer's weights are its
// trainable then non-trainable ones: its _trainableWeights then _nonTrainableWeights whatever its trainable flag.
// The walk follows the config (the JSON the payload gave), looking each layer up by name in the tfjs model.
function kerasOrderWeights(model, topology) {
  const seen = new Set();
  const out = [];
  const visit = (container, cfgNode) => {
    const cfg = cfgNode.config;
    const layerCfgs = Array.isArray(cfg) ? cfg : cfg.layers;
    for (const lc of layerCfgs) {
      const name = lc.name != null ? lc.name : lc.config.name;
      const layer = container.layers.find(l => l.name === name);
      if (layer == null) {
        if (lc.class_name === 'InputLayer') continue; // tfjs may fold a Sequential's InputLayer away
        throw new Error(`layer '${name}' of the config is not in the tfjs model '${container.name}'`);
      }
      if (isContainer(layer)) { visit(layer, lc); continue; }
      for (const w of ownWeights(layer)) {
        if (!seen.has(w.id)) { seen.add(w.id); out.push(w); }
      }
    }
  };
  visit(model, topology);
  const all = model.weights;
  if (all.length !== out.length || all.some(w => !seen.has(w.id))) {
    throw new Error(`internal: Keras-order walk found ${out.length} weights [${out.map(w => w.originalName)}], ` +
      `tfjs model.weights has ${all.length} [${all.map(w => w.originalName)}]`);
  }
  return out;
}

// A plain layer's weights: its own, or (tfjs's recurrent layers) its cell's, a Bidirectional's forward layer's then
// backward layer's, a wrapper's inner layer's (Keras's order for all).
function ownWeights(layer) {
  if (layer.forwardLayer != null && layer.backwardLayer != null) {
    return ownWeights(layer.forwardLayer).concat(ownWeights(layer.backwardLayer));
  }
  if (layer.cell != null) return ownWeights(layer.cell);
  // A wrapper (TimeDistributed) holds no weights of its own: Keras lists its inner layer's.
  if (layer.layer != null && layer._trainableWeights.length + layer._nonTrainableWeights.length === 0) return ownWeights(layer.layer);
  return layer._trainableWeights.concat(layer._nonTrainableWeights);
}

function findLayers(model, name, acc = []) {
  for (const l of model.layers) {
    if (l.name === name) acc.push(l);
    if (isContainer(l)) findLayers(l, name, acc);
  }
  return acc;
}

const LOSSES = {
  categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
  mean_absolute_error: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
};

function tensorOf(t, what) {
  if (t == null || !Array.isArray(t.shape) || !Array.isArray(t.values)) {
    throw new Error(`${what}: expected {"shape": [...], "values": [...]}`);
  }
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (n !== t.values.length) throw new Error(`${what}: shape [${t.shape}] holds ${n} values, got ${t.values.length}`);
  return tf.tensor(t.values, t.shape, 'float32');
}

async function dump(tensor) {
  return { shape: tensor.shape, values: Array.from(await tensor.data()) };
}

async function main() {
  if (process.argv.length < 3) throw new Error('usage: node graph_tfjs.js PAYLOAD.json');
  const payload = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  let topology = typeof payload.model === 'string' ? JSON.parse(payload.model) : payload.model;
  if (topology && topology.model_config != null) {
    topology = typeof topology.model_config === 'string' ? JSON.parse(topology.model_config) : topology.model_config;
  }
  checkNodeReferences(topology, (topology && topology.config && topology.config.name) || 'model');
  topology = renameFunctional(topology);
  const model = await tf.models.modelFromJSON(topology);

  const vars = kerasOrderWeights(model, topology);
  const given = payload.weights || [];
  if (given.length !== vars.length) {
    throw new Error(`tfjs model has ${vars.length} weights [${vars.map(v => v.originalName + ' ' + JSON.stringify(v.shape)).join(', ')}], ` +
      `payload has ${given.length}`);
  }
  vars.forEach((v, i) => {
    if (JSON.stringify(v.shape) !== JSON.stringify(given[i].shape)) {
      throw new Error(`weight ${i} (${v.originalName}): tfjs shape [${v.shape}], payload shape [${given[i].shape}]`);
    }
    // Keras's set_weights assigns as given; tfjs's write() would also project the value by the weight's constraint.
    const constraint = v.constraint;
    v.constraint = null;
    v.write(tensorOf(given[i], `weight ${i} (${v.originalName})`));
    v.constraint = constraint;
  });

  const inputs = (payload.inputs || []).map((t, i) => tensorOf(t, `input ${i}`));
  if (inputs.length !== model.inputs.length) {
    throw new Error(`model has ${model.inputs.length} inputs [${model.inputs.map(x => x.name).join(', ')}], payload has ${inputs.length}`);
  }
  const x = inputs.length === 1 ? inputs[0] : inputs;
  const batch = inputs[0].shape[0];
  let y = model.predict(x, { batchSize: batch });
  if (!Array.isArray(y)) y = [y];
  const result = { outputs: [], weight_names: vars.map(v => v.originalName) };
  for (const t of y) result.outputs.push(await dump(t));

  if (payload.targets != null) {
    const nOut = model.outputs.length;
    const lossNames = payload.losses || new Array(nOut).fill('mean_squared_error');
    if (lossNames.length !== nOut) throw new Error(`model has ${nOut} outputs, payload gives ${lossNames.length} losses`);
    const losses = lossNames.map(l => LOSSES[l] || l); // other tfjs-layers names (camelCase) pass through
    if (payload.targets.length !== nOut) throw new Error(`model has ${nOut} outputs, payload gives ${payload.targets.length} targets`);
    const targets = payload.targets.map((t, i) => {
      let tt = tensorOf(t, `target ${i}`);
      if (losses[i] === 'sparseCategoricalCrossentropy' && tt.rank === model.outputs[i].rank - 1) {
        tt = tt.reshape(tt.shape.concat([1]));
      }
      return tt;
    });
    for (const [name, flag] of Object.entries(payload.trainable || {})) {
      const found = findLayers(model, name);
      if (found.length === 0) throw new Error(`trainable: no layer named ${name}`);
      found.forEach(l => { l.trainable = !!flag; });
    }
    const lossWeights = payload.loss_weights != null ? payload.loss_weights : new Array(nOut).fill(1);
    if (lossWeights.length !== nOut) throw new Error(`model has ${nOut} outputs, payload gives ${lossWeights.length} loss_weights`);
    model.compile({ optimizer: tf.train.sgd(payload.sgd_lr != null ? payload.sgd_lr : 0.01), loss: losses });
    // Keras's total loss (see the header): weight_i * per-sample loss, reduced to shape [N]. A Sequential trains
    // through its inner LayersModel (model.model), whose lossFunctions are the ones used.
    const trained = model instanceof tf.Sequential ? model.model : model;
    trained.lossFunctions = trained.lossFunctions.map((fn, i) => (yTrue, yPred) => tf.tidy(() => {
      let l = fn(yTrue, yPred);
      if (l.rank > 1) l = tf.mean(l, Array.from({ length: l.rank - 1 }, (_, k) => k + 1));
      return tf.mul(l, lossWeights[i]);
    }));
    const r = await model.trainOnBatch(x, nOut === 1 ? targets[0] : targets);
    // trainOnBatch returns the total loss alone for one output without metrics, else [total, weighted loss_i...].
    const values = Array.isArray(r) ? r : [r];
    result.loss = values[0];
    const weighted = nOut > 1 ? values.slice(1, 1 + nOut) : [values[0]];
    result.losses = weighted.map((v, i) => lossWeights[i] !== 0 ? v / lossWeights[i] : null);
    if (payload.apply_constraints) {
      for (const v of vars) if (v.trainable && v.constraint != null) v.write(tf.clone(v.read()));
    }
    result.weights_after = [];
    for (const v of vars) {
      const d = await dump(v.read());
      result.weights_after.push({ name: v.originalName, shape: d.shape, values: d.values });
    }
  }
  process.stdout.write(JSON.stringify(result));
}

main().catch(e => { console.error(e.stack || String(e)); process.exit(1); });

#nullable enable
using System.Globalization;
using System.Text;
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Models;

// model.summary() as tf.keras 2.4 prints it (tensorflow python/keras/utils/layer_utils.py print_summary, the same
// in keras@v2.6.0). Two tables:
// - "sequential-like" (Sequential, or a Functional model whose graph has one node per depth, no node reading several
//   tensors and no layer called twice): 65 columns at [.45, .85, 1.], "Layer (type) | Output Shape | Param #";
// - any other Functional model: 98 columns at [.33, .55, .67, 1.], plus "Connected to", one
//   "layer_name[node_index][tensor_index]" per input of each of the layer's calls that belong to this graph; the
//   second and later connections go on rows of their own with the other cells empty.
// A row is built cell by cell: each cell after the first replaces the last character so far with a space, then the
// line is cut to the cell's column end and padded to it, so long cells are cut, never wrapped.
// Node indices are the positions in the layer's own list of calls. Since tf.keras 2.3 a Functional/Sequential model
// makes no node for itself (functional.py _init_graph_network creates none), so a nested model's first call is [0]:
// 2.4 summaries print "model_1[0][0]" for it. (Keras <= 2.2, "(Model)" rows, numbered them from 1; configs still
// number a nested model's calls from 1, but that is the config writer's renumbering, not the summary's.)
public partial class Model
{
    /// <summary>
    /// Prints the tf.keras 2.4 summary table through <paramref name="printFn"/> (Console.WriteLine by default): 65
    /// columns for Sequential and chain-shaped models, 98 with a "Connected to" column for other Functional models.
    /// </summary>
    /// <param name="printFn">Receives the whole table (lines separated by '\n').</param>
    /// <param name="lineLength">Keras's <c>line_length</c>; null picks 65 or 98.</param>
    /// <param name="positions">Keras's <c>positions</c>: column ends, relative (all ≤ 1) or absolute.</param>
    public void Summary(Action<string>? printFn = null, int? lineLength = null, IReadOnlyList<double>? positions = null) =>
        (printFn ?? Console.WriteLine)(SummaryText(lineLength, positions).TrimEnd('\n'));

    /// <summary>The summary as text, one line per row, each ending in a newline.</summary>
    /// <param name="lineLength">Keras's <c>line_length</c>; null picks 65 (sequential-like) or 98.</param>
    /// <param name="positions">Keras's <c>positions</c>: column ends, relative (all ≤ 1) or absolute.</param>
    /// <returns>The summary text, as Keras's <c>model.summary()</c> prints it.</returns>
    public string SummaryText(int? lineLength = null, IReadOnlyList<double>? positions = null)
    {
        if (!Built || Graph is not { } g)
            throw new KerasNetException($"Model '{Name}' has not been built yet: give the first layer an inputShape, or call Build or Fit first.");
        bool sequentialLike = this is Sequential || IsSequentialLike(g);
        int width = lineLength ?? (sequentialLike ? 65 : 98);
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(lineLength), lineLength, "The line length must be positive.");
        IReadOnlyList<double> rel = positions ?? (sequentialLike ? [.45, .85, 1.0] : [.33, .55, .67, 1.0]);
        int columns = sequentialLike ? 3 : 4;
        if (rel.Count != columns)
            throw new ArgumentException($"The summary of model '{Name}' has {columns} columns, so it needs {columns} positions; got {rel.Count}.", nameof(positions));
        int[] ends = rel.Select(p => rel[^1] <= 1 ? (int)(width * p) : (int)p).ToArray();
        if (ends.Any(e => e < 0)) throw new ArgumentException("Summary positions must not be negative.", nameof(positions));
        var relevant = sequentialLike ? null : new HashSet<Node>(g.NodeDepths.Keys);

        var sb = new StringBuilder();
        void Line(string s) => sb.Append(s).Append('\n');
        Line($"Model: \"{Name}\"");
        Line(new string('_', width));
        Line(Row(sequentialLike ? ["Layer (type)", "Output Shape", "Param #"] : ["Layer (type)", "Output Shape", "Param #", "Connected to"], ends));
        Line(new string('=', width));
        var layers = Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            string[] cells = [$"{l.Name} ({l.ClassName})", OutputShapeText(l), l.CountParams().ToString(CultureInfo.InvariantCulture)];
            if (relevant == null) Line(Row(cells, ends));
            else
            {
                var connections = Connections(l, relevant);
                Line(Row([.. cells, connections.Count > 0 ? connections[0] : ""], ends));
                for (int c = 1; c < connections.Count; c++) Line(Row(["", "", "", connections[c]], ends));
            }
            Line(new string(i == layers.Count - 1 ? '=' : '_', width));
        }
        if (layers.Count == 0) Line(new string('=', width));
        // count_params(model.trainable_weights) and (model.non_trainable_weights): each variable once; a frozen
        // model's (or layer's) weights are all non-trainable.
        long trainable = TrainableWeights.Sum(w => (long)w.Size);
        long nonTrainable = NonTrainableWeights.Sum(w => (long)w.Size);
        Line($"Total params: {(trainable + nonTrainable).ToString("N0", CultureInfo.InvariantCulture)}");
        Line($"Trainable params: {trainable.ToString("N0", CultureInfo.InvariantCulture)}");
        Line($"Non-trainable params: {nonTrainable.ToString("N0", CultureInfo.InvariantCulture)}");
        Line(new string('_', width));
        return sb.ToString();
    }

    // print_summary's test: one node per depth, none with several inputs, and no layer with two nodes in the graph.
    private static bool IsSequentialLike(FunctionalGraph g) =>
        g.NodeDepths.GroupBy(p => p.Value).All(d => d.Count() == 1 && d.First().Key.Inputs.Length <= 1)
        && g.NodeDepths.Keys.GroupBy(n => n.Layer).All(n => n.Count() == 1);

    // "layer[node][tensor]" for every input of every call of the layer that is part of this graph (Node.iterate_inbound).
    private static List<string> Connections(Layer layer, HashSet<Node> relevant)
    {
        var list = new List<string>();
        foreach (var node in layer.InboundNodesList)
            if (relevant.Contains(node))
                foreach (var t in node.Inputs)
                    list.Add($"{t.Layer.Name}[{t.Node.IndexInLayer}][{t.Index}]");
        return list;
    }

    // str(layer.output_shape): a model prints its own outputs (Functional.output_shape: a tuple, or a list of tuples);
    // another layer its calls' output structure (an InputLayer's node holds a list of one tensor, so "[(None, 8)]";
    // several outputs give a list), or "multiple" when its calls differ or it has none (output_shape's AttributeError).
    private static string OutputShapeText(Layer layer)
    {
        if (layer is Model m) return ShapesText(m.Outputs.Select(t => t.Shape).ToList(), asList: m.Outputs.Count > 1);
        var texts = layer.InboundNodesList
            .Select(n => ShapesText(n.Outputs.Select(t => t.Shape).ToList(), asList: n.IsInput || n.Outputs.Length > 1))
            .Distinct().ToList();
        return texts.Count == 1 ? texts[0] : "multiple";
    }

    private static string ShapesText(IReadOnlyList<int[]> shapes, bool asList) =>
        asList ? "[" + string.Join(", ", shapes.Select(ShapeUtil.FormatWithNone)) + "]"
            : shapes.Count > 0 ? ShapeUtil.FormatWithNone(shapes[0]) : "?";

    // Keras's print_row: each cell replaces the line's last character with a space, then is cut/padded to its column end.
    private static string Row(string[] fields, int[] positions)
    {
        var line = "";
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0) line = (line.Length > 0 ? line[..^1] : "") + " ";
            line += fields[i];
            if (line.Length > positions[i]) line = line[..positions[i]];
            line = line.PadRight(positions[i]);
        }
        return line;
    }
}

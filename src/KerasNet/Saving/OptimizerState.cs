#nullable enable
using PureHDF;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;

namespace KerasNet.Saving;

/// <summary>
/// Optimizer state in model files, so that a loaded model resumes training exactly: tf.keras 2.4's
/// <c>/optimizer_weights</c> (<c>Adam/iter:0</c>, then every variable's first slot, then every second slot:
/// <c>Adam/conv2d/kernel/m:0</c> ... <c>Adam/dense/bias/v:0</c>) and Keras 3's <c>optimizer/vars</c>
/// (0 = iteration, 1 = learning_rate, then the slots).
/// </summary>
internal static partial class OptimizerState
{
    private static readonly string[] IterationNames = ["iter", "iterations", "iteration"];

    /// <summary>Writes tf.keras 2.4's <c>optimizer_weights</c> group; nothing before the first training step, as Keras.</summary>
    public static void WriteLegacy(H5Group root, Model model)
    {
        var opt = model.Optimizer;
        if (opt == null) return;
        var vars = model.TrainableWeights;
        if (opt.Iterations == 0 && !vars.Any(opt.HasSlots)) return;
        var g = new H5Group();
        var names = new List<string> { $"{opt.ClassName}/iter:0" };
        H5Tree.Put(g, names[0], opt.Iterations);
        for (int s = 0; s < opt.SlotNames.Count; s++)
            foreach (var v in vars)
            {
                string name = $"{opt.ClassName}/{v.LayerName}/{v.Name}/{opt.SlotNames[s]}:0";
                names.Add(name);
                H5Tree.Put(g, name, H5Tree.Floats((float[])opt.SlotsOf(v)[s].Clone(), v.Shape));
            }
        H5Tree.SetStringList(g.Attributes, "weight_names", names);
        root["optimizer_weights"] = g;
    }

    /// <summary>Restores state from <c>optimizer_weights</c>; names it cannot place are skipped with one warning.</summary>
    public static void ReadLegacy(H5Reader r, Model model)
    {
        var opt = model.Optimizer;
        var g = r.Group(r.Root, "optimizer_weights");
        if (opt == null || g == null) return;
        var names = r.StringListAttribute(g, "weight_names") ?? [];
        var skipped = new List<string>();
        var vars = model.TrainableWeights;
        foreach (var name in names)
        {
            var segs = name.Split('/');
            string last = StripSuffix(segs[^1]);
            if (IterationNames.Contains(last) && segs.Length <= 2) { opt.Iterations = r.ReadInt64(g, name); continue; }
            if (last == "learning_rate" && segs.Length <= 2) { opt.LearningRate = r.ReadFloats(g, name).Data[0]; continue; }
            var target = Locate(opt, vars, segs);
            if (target == null) { skipped.Add(name); continue; }
            var (data, _) = r.ReadFloats(g, name);
            var (v, slot) = target.Value;
            if (data.Length != v.Size) { skipped.Add(name); continue; }
            data.CopyTo(opt.SlotsOf(v)[slot], 0);
        }
        if (skipped.Count > 0)
            Keras.Warn($"{r.Name}: skipped {skipped.Count} optimizer weights that do not match the model's {opt.ClassName} state: {string.Join(", ", skipped.Take(5))}{(skipped.Count > 5 ? ", ..." : "")}.");
    }

    private static (Variable, int)? Locate(Optimizer opt, IReadOnlyList<Variable> vars, string[] segs)
    {
        string last = StripSuffix(segs[^1]);
        // tf.keras 2.x: Opt/<layer>/<var>/<slot>:0; keras 2.12+: Opt/<slot>/<layer>/<var>:0.
        if (segs.Length == 4 && (Find(opt, vars, segs[1], segs[2], last) ?? Find(opt, vars, segs[2], last, segs[1])) is { } found)
            return found;
        // Deeper paths (a recurrent layer's cell, a Bidirectional's layers: Adam/bidirectional/forward_lstm/lstm_cell_1/kernel/m:0)
        // match the variable's path with the cells' automatic names left out: they differ from session to session.
        if (segs.Length > 4 && SlotIndex(opt, last) is int deep and >= 0)
        {
            string path = CellFree(string.Join('/', segs[1..^1]));
            if (vars.FirstOrDefault(x => CellFree($"{x.LayerName}/{x.Name}") == path) is { } dv) return (dv, deep);
        }
        // Keras 2.0-2.3: training/RMSprop/accumulator_3_1:0, training/Adam/m_0_1:0: the index of the trainable weight.
        var m = IndexedSlot().Match(last);
        if (m.Success && int.TryParse(m.Groups[2].Value, out int i) && i < vars.Count && SlotIndex(opt, m.Groups[1].Value) is int s and >= 0)
            return (vars[i], s);
        // Keras 3 legacy h5: rmsprop/<model>_<layer>_<var>_velocity.
        foreach (var v in vars)
            foreach (var slot in opt.SlotNames.Concat(["momentum", "velocity"]))
                if (segs.Length == 2 && last.EndsWith($"_{v.LayerName}_{v.Name}_{slot}", StringComparison.Ordinal) && SlotIndex(opt, slot) is int k and >= 0)
                    return (v, k);
        return null;
    }

    private static string CellFree(string path) => RecurrentCell().Replace(path, "");

    [System.Text.RegularExpressions.GeneratedRegex(@"/(?:lstm|gru|simple_rnn)_cell(?:_\d+)?(?=/)")]
    private static partial System.Text.RegularExpressions.Regex RecurrentCell();

    [System.Text.RegularExpressions.GeneratedRegex(@"^(m|v|accumulator|moment)_(\d+)(?:_\d+)?$")]
    private static partial System.Text.RegularExpressions.Regex IndexedSlot();

    private static (Variable, int)? Find(Optimizer opt, IReadOnlyList<Variable> vars, string layer, string var, string slot)
    {
        int s = SlotIndex(opt, slot);
        var v = vars.FirstOrDefault(x => x.LayerName == layer && x.Name == var);
        return s >= 0 && v != null ? (v, s) : null;
    }

    private static int SlotIndex(Optimizer opt, string slot)
    {
        int i = opt.SlotNames.ToList().IndexOf(slot);
        if (i >= 0) return i;
        // Keras 3 calls Adam's m and v "momentum" and "velocity", RMSprop's mean square "velocity".
        string alias = (opt, slot) switch
        {
            (Adam, "momentum") => "m",
            (Adam, "velocity") => "v",
            (RMSprop, "velocity" or "accumulator") => "rms",
            (SGD, "moment") => "momentum",
            _ => "",
        };
        return opt.SlotNames.ToList().IndexOf(alias);
    }

    private static string StripSuffix(string s) => s.EndsWith(":0", StringComparison.Ordinal) ? s[..^2] : s;

    /// <summary>
    /// The variables' slot arrays in Keras 3's order: Adam creates m and v per variable in turn; SGD and RMSprop
    /// create all of one kind, then all of the next.
    /// </summary>
    private static IEnumerable<(Variable Var, int Slot)> Keras3Order(Optimizer opt, IReadOnlyList<Variable> vars) =>
        opt is Adam
            ? vars.SelectMany(v => Enumerable.Range(0, opt.SlotNames.Count).Select(s => (v, s)))
            : Enumerable.Range(0, opt.SlotNames.Count).SelectMany(s => vars.Select(v => (v, s)));

    /// <summary>Writes Keras 3's <c>optimizer/vars</c> group.</summary>
    public static void WriteKeras3(H5Group root, Model model)
    {
        var opt = model.Optimizer;
        if (opt == null) return;
        var vars = H5Tree.Child(H5Tree.Child(root, "optimizer"), "vars");
        vars.Attributes["name"] = opt.ClassName.ToLowerInvariant();
        vars["0"] = opt.Iterations;
        vars["1"] = (float)opt.LearningRate;
        // Keras 3 builds the slots on the first step; an optimizer that never stepped saves only these two.
        if (opt.Iterations == 0 && !model.TrainableWeights.Any(opt.HasSlots)) return;
        int i = 2;
        foreach (var (v, s) in Keras3Order(opt, model.TrainableWeights))
            vars[(i++).ToString(System.Globalization.CultureInfo.InvariantCulture)] = H5Tree.Floats((float[])opt.SlotsOf(v)[s].Clone(), v.Shape);
    }

    /// <summary>Restores Keras 3's <c>optimizer/vars</c>; a layout that does not match is skipped with a warning.</summary>
    public static void ReadKeras3(H5Reader r, Model model)
    {
        var opt = model.Optimizer;
        var g = r.Group(r.Root, "optimizer/vars");
        if (opt == null || g == null) return;
        var order = Keras3Order(opt, model.TrainableWeights).ToList();
        int count = r.ChildNames(g).Count;
        if (count == 2)
        {
            opt.Iterations = r.ReadInt64(g, "0");
            opt.LearningRate = r.ReadFloats(g, "1").Data[0];
            return;
        }
        if (count != order.Count + 2)
        {
            Keras.Warn($"{r.Name}: optimizer/vars holds {count} variables but {opt.ClassName} for this model has {order.Count + 2}; the optimizer state is not restored.");
            return;
        }
        var arrays = order.Select((o, i) => r.ReadFloats(g, (i + 2).ToString(System.Globalization.CultureInfo.InvariantCulture)).Data).ToList();
        for (int i = 0; i < order.Count; i++)
            if (arrays[i].Length != order[i].Var.Size)
            {
                Keras.Warn($"{r.Name}: optimizer/vars/{i + 2} has {arrays[i].Length} values but '{order[i].Var.FullName}' has {order[i].Var.Size}; the optimizer state is not restored.");
                return;
            }
        opt.Iterations = r.ReadInt64(g, "0");
        opt.LearningRate = r.ReadFloats(g, "1").Data[0];
        for (int i = 0; i < order.Count; i++) arrays[i].CopyTo(opt.SlotsOf(order[i].Var)[order[i].Slot], 0);
    }
}

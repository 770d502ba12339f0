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
/// (0 = iteration, 1 = learning_rate unless it is a schedule, then the slots).
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
        // Nadam's momentum_cache comes next: tf.keras 2.4 appends it to the weights before creating the slots.
        for (int k = 0; k < opt.ScalarNames.Count; k++)
        {
            string name = $"{opt.ClassName}/{opt.ScalarNames[k]}:0";
            names.Add(name);
            H5Tree.Put(g, name, opt.GetScalar(k));
        }
        foreach (var (v, s) in Optimizer.SlotOrder(opt.LegacySlotGroups, vars))
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
            if (last == "learning_rate" && segs.Length <= 2)
            {
                if (opt.Schedule == null) opt.LearningRate = r.ReadFloats(g, name).Data[0];
                continue;
            }
            if (segs.Length <= 2 && opt.ScalarNames.ToList().IndexOf(last) is int k and >= 0) { opt.SetScalar(k, r.ReadFloats(g, name).Data[0]); continue; }
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
        int i = opt.SlotIndex(slot);
        if (i >= 0) return i;
        // Older spellings: Keras 2.0-2.3's RMSprop "accumulator", SGD "moment".
        string alias = (opt, slot) switch
        {
            (RMSprop, "accumulator") => "rms",
            (SGD, "moment") => "momentum",
            _ => "",
        };
        return opt.SlotIndex(alias);
    }

    private static string StripSuffix(string s) => s.EndsWith(":0", StringComparison.Ordinal) ? s[..^2] : s;

    /// <summary>
    /// Keras 3's optimizer variables after the iteration count: the learning rate (unless it is a schedule), the
    /// slots in Keras 3's creation order, then optimizer-wide scalars (Nadam's momentum product).
    /// </summary>
    private static int Keras3Count(Optimizer opt, IReadOnlyList<Variable> vars, bool withScalars) =>
        1 + (opt.Schedule == null ? 1 : 0) + vars.Count * opt.SlotNames.Count + (withScalars ? opt.ScalarNames.Count : 0);

    private static string Key(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes Keras 3's <c>optimizer/vars</c> group.</summary>
    public static void WriteKeras3(H5Group root, Model model)
    {
        var opt = model.Optimizer;
        if (opt == null) return;
        var vars = H5Tree.Child(H5Tree.Child(root, "optimizer"), "vars");
        vars.Attributes["name"] = opt.ClassName.ToLowerInvariant();
        int i = 0;
        vars[Key(i++)] = opt.Iterations;
        if (opt.Schedule == null) vars[Key(i++)] = (float)opt.LearningRate;
        // Keras 3 builds the slots on the first step; an optimizer that never stepped saves only these.
        if (opt.Iterations == 0 && !model.TrainableWeights.Any(opt.HasSlots)) return;
        foreach (var (v, s) in Optimizer.SlotOrder(opt.Keras3SlotGroups, model.TrainableWeights))
            vars[Key(i++)] = H5Tree.Floats((float[])opt.SlotsOf(v)[s].Clone(), v.Shape);
        for (int k = 0; k < opt.ScalarNames.Count; k++) vars[Key(i++)] = opt.GetScalar(k);
    }

    /// <summary>Restores Keras 3's <c>optimizer/vars</c>; a layout that does not match is skipped with a warning.</summary>
    public static void ReadKeras3(H5Reader r, Model model)
    {
        var opt = model.Optimizer;
        var g = r.Group(r.Root, "optimizer/vars");
        if (opt == null || g == null) return;
        var weights = model.TrainableWeights;
        var order = Optimizer.SlotOrder(opt.Keras3SlotGroups, weights).ToList();
        int count = r.ChildNames(g).Count;
        int head = opt.Schedule == null ? 2 : 1;
        void ReadHead()
        {
            opt.Iterations = r.ReadInt64(g, "0");
            if (head == 2) opt.LearningRate = r.ReadFloats(g, "1").Data[0];
        }
        if (count == head) { ReadHead(); return; }
        bool withScalars = count == Keras3Count(opt, weights, true);
        if (!withScalars && count != Keras3Count(opt, weights, false))
        {
            Keras.Warn($"{r.Name}: optimizer/vars holds {count} variables but {opt.ClassName} for this model has {Keras3Count(opt, weights, true)}; the optimizer state is not restored.");
            return;
        }
        var arrays = order.Select((o, i) => r.ReadFloats(g, Key(i + head)).Data).ToList();
        for (int i = 0; i < order.Count; i++)
            if (arrays[i].Length != order[i].Var.Size)
            {
                Keras.Warn($"{r.Name}: optimizer/vars/{i + head} has {arrays[i].Length} values but '{order[i].Var.FullName}' has {order[i].Var.Size}; the optimizer state is not restored.");
                return;
            }
        ReadHead();
        for (int i = 0; i < order.Count; i++) arrays[i].CopyTo(opt.SlotsOf(order[i].Var)[order[i].Slot], 0);
        if (withScalars)
            for (int k = 0; k < opt.ScalarNames.Count; k++) opt.SetScalar(k, r.ReadFloats(g, Key(head + order.Count + k)).Data[0]);
    }
}

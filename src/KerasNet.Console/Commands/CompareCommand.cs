#nullable enable
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.ConsoleApp.Reporting;
using KerasNet.Engine;
using KerasNet.Saving;
using KerasNet.Utils;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>
/// <c>kerasnet compare A B [--atol 1e-5] [--rtol 0]</c>: two models (configs field by field, weights tensor by tensor)
/// or two .npy arrays. Exit 0 when equal within tolerance, 1 when not: how a user checks the port against Python.
/// </summary>
public static class CompareCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var a = new Argument<string>("A") { Description = "First model (.h5, .hdf5, .keras, .json) or .npy array." };
        var b = new Argument<string>("B") { Description = "Second model or .npy array (the reference for relative differences)." };
        var atol = CliOptions.NonNegativeDouble("--atol", 1e-5, "Absolute tolerance.");
        var rtol = CliOptions.NonNegativeDouble("--rtol", 0, "Relative tolerance (times |B|), as numpy.allclose.");
        var command = new Command("compare", "Compare two models or two .npy arrays; exit 0 when equal within tolerance, 1 when not.") { a, b, atol, rtol };
        command.SetAction(p =>
        {
            string pa = p.GetValue(a)!, pb = p.GetValue(b)!;
            var (ka, kb) = (ModelStore.Kind(pa), ModelStore.Kind(pb));
            if ((ka == ModelFileKind.Npy) != (kb == ModelFileKind.Npy))
                throw new UsageException("compare takes two .npy arrays or two models, not one of each.");
            bool equal = ka == ModelFileKind.Npy
                ? CompareArrays(pa, pb, p.GetValue(atol), p.GetValue(rtol), context.Out)
                : CompareModels(pa, pb, p.GetValue(atol), p.GetValue(rtol), context.Out);
            context.Out.WriteLine(equal ? "EQUAL within tolerance" : "DIFFERENT");
            return equal ? Cli.Success : Cli.Failure;
        });
        return command;
    }

    private static bool CompareArrays(string pa, string pb, double atol, double rtol, TextWriter print)
    {
        ModelStore.RequireFile(pa, "array file");
        ModelStore.RequireFile(pb, "array file");
        Tensor x = Npy.Load(pa), y = Npy.Load(pb);
        if (!ShapeUtil.Equal(x.Shape, y.Shape))
        {
            print.WriteLine($"shape: {ShapeUtil.Format(x.Shape)} != {ShapeUtil.Format(y.Shape)}");
            return false;
        }
        var diff = ArrayDiff.Of(x.Span, y.Span, atol, rtol);
        print.WriteLine($"shape {ShapeUtil.Format(x.Shape)}: {diff} (atol={PyText.Repr(atol)}, rtol={PyText.Repr(rtol)})");
        return diff.Equal;
    }

    private static bool CompareModels(string pa, string pb, double atol, double rtol, TextWriter print)
    {
        var (ma, mb) = (new ModelSource(pa).Load(), new ModelSource(pb).Load());
        var configDiffs = JsonDiff.Differences(ParseJson(ma.ToJson(), pa), ParseJson(mb.ToJson(), pb));
        print.WriteLine(configDiffs.Count == 0 ? "config: equal" : $"config: {configDiffs.Count} difference(s)");
        foreach (var d in configDiffs) print.WriteLine("  " + d);
        bool equal = configDiffs.Count == 0;

        if (ModelStore.Kind(pa) == ModelFileKind.Json || ModelStore.Kind(pb) == ModelFileKind.Json)
        {
            print.WriteLine("weights: not compared (a .json file holds no weights)");
            return equal;
        }
        var (wa, wb) = (ma.Weights.ToList(), mb.Weights.ToList());
        print.WriteLine($"weights: {wa.Count} vs {wb.Count} arrays (atol={PyText.Repr(atol)}, rtol={PyText.Repr(rtol)})");
        if (wa.Count != wb.Count) equal = false;
        int width = wa.Concat(wb).Select(v => v.FullName.Length).DefaultIfEmpty(0).Max();
        for (int i = 0; i < Math.Min(wa.Count, wb.Count); i++)
        {
            var (va, vb) = (wa[i], wb[i]);
            string name = va.FullName == vb.FullName ? va.FullName : $"{va.FullName} vs {vb.FullName}";
            if (!ShapeUtil.Equal(va.Shape, vb.Shape))
            {
                print.WriteLine($"  {name.PadRight(width)}  shape {ShapeUtil.Format(va.Shape)} != {ShapeUtil.Format(vb.Shape)}  DIFFERENT");
                equal = false;
                continue;
            }
            var diff = ArrayDiff.Of(va.Value.Span, vb.Value.Span, atol, rtol);
            print.WriteLine($"  {name.PadRight(width)}  {ShapeUtil.Format(va.Shape)}  {diff}  {(diff.Equal ? "ok" : "DIFFERENT")}");
            equal &= diff.Equal;
        }
        return equal;
    }

    private static JsonNode? ParseJson(string json, string path)
    {
        try { return JsonNode.Parse(json); }
        catch (JsonException e) { throw new KerasNetException($"{path}: the model's config is not valid JSON ({e.Message}).", e); }
    }
}

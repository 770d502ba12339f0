#nullable enable
using System.Reflection;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using Xunit.Abstractions;

namespace KerasNet.Tests.Faults;

/// <summary>
/// Every layer class of the registry (each [KerasLayer] class, so a layer added later is covered without editing
/// this test) is built in code with random constructor arguments (absurd sizes, zero and negative numbers, unknown
/// strings, NaN rates, ...), called on a random input shape in a Functional model, used for a prediction and a training
/// step, and its config is read back through the registry. Each step must succeed or throw a
/// <see cref="KerasNetException"/>: any other exception type, or a case running past its deadline (a hang), fails.
/// Weights and activations are capped (a weight budget around the build, a size check before running) so that a
/// legitimately huge layer is refused cleanly instead of exhausting the machine.
/// </summary>
public sealed class LayerArgumentFuzzTests(ITestOutputHelper output)
{
    private const int CasesPerClass = 40;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private const long MaxWeights = 1L << 22;           // 16 MB of float32 per case
    private const long MaxActivationBytes = 16L << 20;  // per sample, before a prediction is attempted

    public static IEnumerable<object[]> LayerClasses() =>
        typeof(Layer).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<KerasLayerAttribute>() != null && !t.IsAbstract)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => new object[] { t.Name });

    [Fact]
    public void TheFuzzedClassesAreTheRegistrysLayerClasses()
    {
        // Every Keras name of every [KerasLayer] class is served by the registry, so the classes fuzzed here are the
        // registry's (names registered later by code, such as tests' helpers, have no class to construct).
        var registry = LayerRegistry.ClassNames.ToHashSet();
        var names = typeof(Layer).Assembly.GetTypes().SelectMany(t => t.GetCustomAttribute<KerasLayerAttribute>()?.ClassNames ?? []).ToList();
        Assert.All(names, n => Assert.Contains(n, registry));
        Assert.True(LayerClasses().Count() >= 10);
    }

    [Theory]
    [MemberData(nameof(LayerClasses))]
    public void RandomArgumentsGiveSuccessOrAKerasNetException(string typeName)
    {
        var type = typeof(Layer).Assembly.GetTypes().Single(t => t.Name == typeName && t.GetCustomAttribute<KerasLayerAttribute>() != null);
        var ctors = type.GetConstructors().Where(c => c.GetParameters().All(p => Supported(p.ParameterType))).ToArray();
        Assert.True(ctors.Length > 0, $"{typeName}: no public constructor with argument types this fuzzer can make");
        var rng = new Random(StableHash(typeName));
        var failures = new List<string>();
        var outcome = new Dictionary<string, int>();
        var examples = new Dictionary<string, string>();
        for (int i = 0; i < CasesPerClass; i++)
        {
            var ctor = ctors[rng.Next(ctors.Length)];
            object?[] args;
            // An argument's own conversion may refuse it already (Regularizer from "bogus"): that is the user's error message.
            try { args = ctor.GetParameters().Select(p => Value(p, rng)).ToArray(); }
            catch (TargetInvocationException e) when (e.InnerException is KerasNetException)
            {
                outcome["refused at an argument"] = outcome.GetValueOrDefault("refused at an argument") + 1;
                continue;
            }
            // null for a parameter the compiler requires non-null is the caller's bug (ArgumentNullException), not a case.
            if (ctor.GetParameters().Zip(args).Any(pa => pa.Second == null && !pa.First.ParameterType.IsValueType
                    && new NullabilityInfoContext().Create(pa.First).WriteState == NullabilityState.NotNull))
            {
                outcome["no argument could be made"] = outcome.GetValueOrDefault("no argument could be made") + 1;
                continue;
            }
            int seed = rng.Next();
            string described = $"{typeName}({string.Join(", ", ctor.GetParameters().Zip(args, (p, a) => $"{p.Name}: {Show(a)}"))})";
            if (WithDeadline(() => RunCase(type, ctor, args, new Random(seed))) is not var (stage, error, refusal))
            {
                failures.Add($"{described}: still running after {Deadline.TotalSeconds} s (a hang)");
                continue;
            }
            if (outcome.TryAdd(stage, 0) && refusal != null) examples[stage] = $"{described}: {refusal}";
            outcome[stage]++;
            if (error != null) failures.Add($"{described}: {stage}: {error.GetType().Name}: {error.Message}\n{error.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
        }
        output.WriteLine($"{typeName}: {string.Join(", ", outcome.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}");
        foreach (var (stage, example) in examples) output.WriteLine($"  e.g. {stage}: {example}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {CasesPerClass} cases failed with something other than a KerasNetException:\n" + string.Join("\n", failures.Take(10)));
    }

    // The case on a worker in this test's context, or null when it outlives the deadline (its thread is abandoned).
    private static (string Stage, Exception? Error, string? Refusal)? WithDeadline(Func<(string, Exception?, string?)> run)
    {
        var context = KerasContext.Current;
        var task = Task.Run(() =>
        {
            using (KerasContext.Use(context)) return run();
        });
        return task.Wait(Deadline) ? task.Result : null;
    }

    // The stage reached ("refused at construction", ..., "trained") and the offending exception, if any.
    private static (string Stage, Exception? Error, string? Refusal) RunCase(Type type, ConstructorInfo ctor, object?[] args, Random rng)
    {
        string stage = "construct";
        try
        {
            Layer layer;
            try { layer = (Layer)ctor.Invoke(args); }
            catch (TargetInvocationException e) { throw e.InnerException!; }
            stage = "config";
            // As a file holds it: the config as KerasNet writes it (Python's json text), parsed again.
            var config = ModelConfigReader.ParseObject(PyJson.Dumps(layer.GetConfig()), "fuzz");
            LayerRegistry.Create(new LayerConfigReader(config, layer.ClassName, "fuzz"));
            if (layer is InputLayer) return ("built", null, null);
            stage = "build";
            // Input ranks in a random order: the first the layer accepts is used (a fresh layer for each try).
            Model? model = null;
            KerasNetException? refusal = null;
            foreach (int rank in Enumerable.Range(1, 4).OrderBy(_ => rng.Next()))
            {
                if (model != null) break;
                var shape = RandomShape(rng, rank);
                try
                {
                    if (refusal != null)
                    {
                        try { layer = (Layer)ctor.Invoke(args); }
                        catch (TargetInvocationException e) { throw e.InnerException!; }
                    }
                    using (WeightBudget.Begin(MaxWeights, "fuzz"))
                    {
                        var inputs = layer is Merge
                            ? Enumerable.Range(0, rng.Next(2, 4)).Select(_ => Keras.Input(rng.Next(4) == 0 ? RandomShape(rng, rng.Next(1, 5)) : shape)).ToArray()
                            : [Keras.Input(shape)];
                        // A legitimately huge output (Resizing to 10^9 rows) is not run: it would only measure the machine.
                        long values = layer.ComputeOutputShapes(inputs.Select(x => x.Shape).ToList()).Sum(o => o.Aggregate(1L, (a, d) => a * Math.Max(d, 0)));
                        if (values * sizeof(float) > MaxActivationBytes) return ("too large to build", null, null);
                        var outputs = layer.ApplyMany(inputs);
                        model = new Model(inputs, outputs);
                    }
                }
                catch (KerasNetException e) { refusal = e; }
            }
            if (model == null) throw refusal!;
            if (MemoryBudget.Activations(model).Sum(a => a.Bytes) > MaxActivationBytes) return ("built (too large to run)", null, null);
            stage = "predict";
            int batch = rng.Next(1, 4);
            var xs = model.Inputs.Select(t => Random(rng, ShapeUtil.WithBatch(batch, t.Shape))).ToArray();
            model.PredictOnBatch(xs);
            if (model.TrainableWeights.Count == 0) return ("predicted", null, null);
            stage = "train";
            model.Compile(new SGD(0.01), "mse");
            var ys = model.Outputs.Select(t => Random(rng, ShapeUtil.WithBatch(batch, t.Shape))).ToArray();
            model.TrainOnBatch(new Batch(xs, ys));
            return ("trained", null, null);
        }
        catch (KerasNetException e) { return ($"refused at {stage}", null, e.Message); }
        catch (Exception e) { return (stage, e, null); }
    }

    // ---- argument generation ----

    private static readonly int[] Ints = [1, 1, 2, 2, 3, 3, 4, 5, 8, 0, -1, -2, 64, 1000, 1 << 20, int.MaxValue, 1_000_000_000, int.MinValue];
    private static readonly double[] Doubles = [0.0, 0.1, 0.5, 0.5, 1.0, 2.0, -0.5, -1.0, 1.5, double.NaN, double.PositiveInfinity, 1e30, 1e-30];
    private static readonly string?[] Strings =
    [
        "valid", "same", "causal", "relu", "linear", "softmax", "sigmoid", "tanh", "channels_last", "channels_first", "nearest",
        "bilinear", "glorot_uniform", "zeros", "ones", "he_normal", "l2", "l1", "max_norm", "non_neg", "fan_in", "uniform",
        "mean", "sum", "max", "bogus", "", "RELU", " valid",
    ];

    private static bool Supported(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsPrimitive || t == typeof(string) || t.IsEnum || t == typeof(int[]) || t == typeof(double[]) || IsIntTuple(t)
            || Implicit(t) != null || !t.IsValueType;
    }

    private static object? Value(ParameterInfo p, Random r)
    {
        var t = p.ParameterType;
        bool nullable = Nullable.GetUnderlyingType(t) != null || (!t.IsValueType && new NullabilityInfoContext().Create(p).WriteState != NullabilityState.NotNull);
        if (p.Name is "name") return null;
        // Keep defaults often, so the other arguments are reached with sensible neighbours.
        var u = Nullable.GetUnderlyingType(t) ?? t;
        // Initializers, regularizers, constraints: mostly none (a set regularizer makes training refuse, rightly).
        bool keyword = Implicit(u)?.GetParameters()[0].ParameterType == typeof(string);
        if (p.HasDefaultValue && r.Next(keyword ? 4 : 2) != 0) return p.DefaultValue;
        if (nullable && r.Next(keyword ? 2 : 5) == 0) return null;
        if (p.Name is "inputShape" or "targetShape" or "inputShapeArgument") return Implicit(u) is { } shapeOp && r.Next(2) == 0 ? shapeOp.Invoke(null, [RandomInts(r, r.Next(1, 4))]) : (nullable ? null : Make(u, r, p.Name));
        return Make(u, r, p.Name);
    }

    private static object? Make(Type t, Random r, string? name)
    {
        if (t == typeof(int)) return Int(r);
        if (t == typeof(long)) return (long)Int(r);
        if (t == typeof(double)) return Double(r);
        if (t == typeof(float)) return (float)Double(r);
        if (t == typeof(bool)) return r.Next(2) == 0;
        if (t == typeof(string)) return StringFor(name, r);
        if (t.IsEnum) { var values = Enum.GetValues(t); return values.GetValue(r.Next(values.Length)); }
        if (t == typeof(int[])) return RandomInts(r, r.Next(0, 4));
        if (t == typeof(double[])) return Enumerable.Range(0, r.Next(0, 4)).Select(_ => Double(r)).ToArray();
        if (typeof(Layer).IsAssignableFrom(t)) return InnerLayer(t, r);
        if (IsIntTuple(t)) return Activator.CreateInstance(t, t.GetGenericArguments().Select(a => a == typeof(int) ? (object)Int(r) : Double(r)).ToArray());
        if (Implicit(t) is { } op)
        {
            var from = op.GetParameters()[0].ParameterType;
            // Initializers, regularizers and constraints from their identifiers (an unknown one now and then).
            return op.Invoke(null, [from == typeof(string) ? Pick(r, Identifiers.GetValueOrDefault(t.Name, ["bogus"])) : Make(from, r, name)]);
        }
        return null; // another object type (a callback, a custom initializer): the layer's own default
    }

    // A wrapped layer (TimeDistributed's, Bidirectional's): a random [KerasLayer] class that fits, built from random arguments.
    private static Layer? InnerLayer(Type t, Random r)
    {
        var candidates = typeof(Layer).Assembly.GetTypes()
            .Where(c => t.IsAssignableFrom(c) && !c.IsAbstract && c.GetCustomAttribute<KerasLayerAttribute>() != null)
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.GetConstructors().Where(k => k.GetParameters().All(p => !typeof(Layer).IsAssignableFrom(p.ParameterType) && Supported(p.ParameterType))).ToArray())
            .Where(k => k.Length > 0)
            .ToList();
        if (candidates.Count == 0) return null;
        var ctors = candidates[r.Next(candidates.Count)];
        var ctor = ctors[r.Next(ctors.Length)];
        return (Layer)ctor.Invoke(ctor.GetParameters().Select(p => Value(p, r)).ToArray());
    }

    // The best implicit conversion into t: from string (initializers, regularizers), int[] (Shape), a tuple, or int.
    private static MethodInfo? Implicit(Type t) =>
        t.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == "op_Implicit" && m.ReturnType == t && m.GetParameters().Length == 1)
            .OrderBy(m => m.GetParameters()[0].ParameterType switch
            {
                var s when s == typeof(string) => 0,
                var s when s == typeof(int[]) => 1,
                var s when IsIntTuple(s) => 2,
                var s when s == typeof(int) => 3,
                _ => 9,
            })
            .FirstOrDefault(m => Supported(m.GetParameters()[0].ParameterType) && m.GetParameters()[0].ParameterType != t);

    private static bool IsIntTuple(Type t) =>
        t.IsGenericType && t.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal) && t.GetGenericArguments().All(a => a == typeof(int) || a == typeof(double));

    private static int[] RandomInts(Random r, int n) => Enumerable.Range(0, n).Select(_ => Int(r)).ToArray();

    // Mostly small, valid-looking values (so later arguments and stages are reached), sometimes an extreme one.
    private static int Int(Random r) => r.Next(10) < 6 ? r.Next(1, 4) : Ints[r.Next(Ints.Length)];
    private static double Double(Random r) => r.Next(10) < 6 ? Math.Round(r.NextDouble(), 2) : Doubles[r.Next(Doubles.Length)];
    private static string? Pick(Random r, string?[] pool) => pool[r.Next(pool.Length)];

    private static readonly Dictionary<string, string?[]> Identifiers = new()
    {
        ["Initializer"] = ["glorot_uniform", "zeros", "ones", "he_normal", "random_normal", "orthogonal", "bogus"],
        ["Regularizer"] = ["l1", "l2", "l1_l2", "bogus"],
        ["Constraint"] = ["max_norm", "non_neg", "unit_norm", "bogus"],
    };

    private static readonly Dictionary<string, string?[]> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["padding"] = ["valid", "same", "causal", "bogus"],
        ["activation"] = ["relu", "linear", "softmax", "sigmoid", "tanh", "elu", null, "bogus"],
        ["recurrentActivation"] = ["sigmoid", "hard_sigmoid", "tanh", "bogus"],
        ["dataFormat"] = ["channels_last", "channels_last", "channels_first", "bogus"],
        ["interpolation"] = ["nearest", "bilinear", "bicubic", "bogus"],
    };

    private static string? StringFor(string? name, Random r) =>
        name != null && ByName.TryGetValue(name, out var pool) && r.Next(10) < 8 ? Pick(r, pool) : Pick(r, Strings);

    private static int[] RandomShape(Random r, int rank) => Enumerable.Range(0, rank).Select(_ => new[] { 1, 2, 3, 4, 5, 8 }[r.Next(6)]).ToArray();

    private static Tensor Random(Random r, int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(r.NextDouble() * 2 - 1);
        return t;
    }

    private static string Show(object? a) => a switch
    {
        null => "null",
        string s => $"\"{s}\"",
        int[] v => $"[{string.Join(", ", v)}]",
        double[] v => $"[{string.Join(", ", v)}]",
        _ => a.ToString() ?? "?",
    };

    private static int StableHash(string s)
    {
        unchecked
        {
            int h = 17;
            foreach (char c in s) h = h * 31 + c;
            return h & 0x7FFFFFFF;
        }
    }
}

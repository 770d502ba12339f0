#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Preprocessing.Image;

namespace KerasNet.Tests.Engine;

/// <summary>KerasContext: scopes, isolation of names, seeds, backend, limits and warnings, and the facades.</summary>
public class KerasContextTests
{
    [Fact]
    public void EveryTestRunsInItsOwnContext()
    {
        // KerasContextPerTest (AssemblyInfo.cs) opened a scope before this method ran.
        Assert.NotSame(KerasContext.Default, KerasContext.Current);
        Assert.Equal("dense", new Dense(1).Name);
        Assert.Null(KerasRandom.Seed);
    }

    [Fact]
    public void UseNestsAndRestoresThePreviousContext()
    {
        var outer = KerasContext.Current;
        var a = new KerasContext();
        var b = new KerasContext();
        using (KerasContext.Use(a))
        {
            Assert.Same(a, KerasContext.Current);
            var scope = KerasContext.Use(b);
            Assert.Same(b, KerasContext.Current);
            scope.Dispose();
            scope.Dispose(); // a second dispose changes nothing
            Assert.Same(a, KerasContext.Current);
        }
        Assert.Same(outer, KerasContext.Current);
        Assert.Throws<ArgumentNullException>(() => KerasContext.Use(null!));
    }

    [Fact]
    public void NamesAreCountedPerContext()
    {
        Assert.Equal("conv2d", new Conv2D(2, (3, 3)).Name);
        var other = new KerasContext();
        using (KerasContext.Use(other))
        {
            Assert.Equal("conv2d", new Conv2D(2, (3, 3)).Name);
            Assert.Equal("conv2d_1", new Conv2D(2, (3, 3)).Name);
            Assert.Equal("sequential", new Sequential().Name);
            Assert.Equal("input_1", Keras.Input(3).Layer.Name);
        }
        Assert.Equal("conv2d_1", new Conv2D(2, (3, 3)).Name);
        Assert.Equal("conv2d_2", other.UniqueName("conv2d"));
        other.ClearSession();
        Assert.Equal("conv2d", other.UniqueName("conv2d"));
        Assert.Equal("conv2d_2", KerasBackend.UniqueName("conv2d"));
    }

    [Fact]
    public void SeedsAndStreamsArePerContext()
    {
        KerasRandom.SetRandomSeed(7);
        int first = KerasRandom.Stream("init").Next();
        var other = new KerasContext();
        using (KerasContext.Use(other))
        {
            Assert.Null(KerasRandom.Seed);
            KerasRandom.SetRandomSeed(7);
            Assert.Equal(first, KerasRandom.Stream("init").Next()); // same seed, same stream, whatever else drew
        }
        Assert.Equal(7, KerasRandom.Seed);
        Assert.Equal(7, other.Seed);
        // Seeding the other context did not restart this one's stream.
        Assert.NotEqual(first, KerasRandom.Stream("init").Next());
        // An explicit seed gives the same generator in every context.
        Assert.Equal(new KerasContext().For(3, "init").Next(), KerasRandom.For(3, "init").Next());
    }

    [Fact]
    public void ContextsRunningAtOnceRepeatTheirInitialWeights()
    {
        float[] Init()
        {
            KerasRandom.SetRandomSeed(11);
            return Models.Synthetic.SmallCnn().Weights.SelectMany(w => w.Value.ToArray()).ToArray();
        }
        var expected = Init();
        // Eight sessions at once, each in its own context, draw the same weights and names as one alone.
        var results = new (float[] Weights, string Name)[8];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using (KerasContext.Use(new KerasContext()))
            {
                var w = Init();
                results[i] = (w, new Dense(1).Name);
            }
        });
        Assert.All(results, r => Assert.Equal(expected, r.Weights));
        Assert.All(results, r => Assert.Equal("dense_1", r.Name)); // after SmallCnn's Dense
    }

    [Fact]
    public async Task TasksStartedInAScopeSeeItsContext()
    {
        var outer = KerasContext.Current;
        var ctx = new KerasContext();
        using (KerasContext.Use(ctx))
        {
            Assert.Same(ctx, await Task.Run(() => KerasContext.Current));
            Assert.Same(ctx, KerasContext.Current);
        }
        Assert.Same(outer, KerasContext.Current);
    }

    [Fact]
    public void DropoutDrawsFromTheContextCurrentAtCallTime()
    {
        float[] Mask(Dropout d)
        {
            var ones = new Tensor(4, 50);
            ones.Span.Fill(1);
            return d.Call(ones, training: true).ToArray();
        }
        KerasRandom.SetRandomSeed(3);
        var d = new Dropout(0.5);
        d.Build([50]);
        var here = Mask(d);
        var other = new KerasContext();
        other.SetRandomSeed(3);
        using (KerasContext.Use(other)) Assert.Equal(here, Mask(d)); // the other context's fresh stream
        KerasRandom.SetRandomSeed(3);
        Assert.Equal(here, Mask(d));
    }

    [Fact]
    public void WarningsGoToTheCurrentContextsSink()
    {
        var mine = new List<string>();
        var theirs = new List<string>();
        Keras.Warning = mine.Add;
        var other = new KerasContext { Warning = theirs.Add };
        using (KerasContext.Use(other)) Keras.Warn("to the other");
        Keras.Warn("to mine");
        Assert.Equal(["to mine"], mine);
        Assert.Equal(["to the other"], theirs);
        Assert.Throws<ArgumentNullException>(() => Keras.Warning = null!);
    }

    [Fact]
    public void BackendIsPerContext()
    {
        var cpu = Backend.Current;
        var replacement = new CpuBackend();
        var other = new KerasContext();
        using (KerasContext.Use(other))
        {
            Backend.Current = replacement;
            Assert.Same(replacement, other.Backend);
        }
        Assert.Same(cpu, Backend.Current);
        Assert.Same(KerasContext.Default.Backend, new KerasContext().Backend);
        Assert.Throws<ArgumentNullException>(() => other.Backend = null!);
    }

    [Fact]
    public void LimitsArePerContextAndChecked()
    {
        Assert.Equal(KerasLimits.DefaultMaxImagePixels, ImageLoader.MaxImagePixels);
        ImageLoader.MaxImagePixels = 100;
        Assert.Equal(100, KerasContext.Current.Limits.MaxImagePixels);
        Assert.Equal(KerasLimits.DefaultMaxImagePixels, KerasContext.Default.Limits.MaxImagePixels);
        Assert.Equal(KerasLimits.DefaultMaxImagePixels, new KerasContext().Limits.MaxImagePixels);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => KerasContext.Current.Limits.MaxParams = 0);
        Assert.Equal("MaxParams", e.ParamName);
    }

    [Fact]
    public void MaxParamsBoundsModelFromJson()
    {
        var json = new Sequential([new Dense(64, inputShape: 32), new Dense(10)]).ToJson();
        KerasContext.Current.Limits.MaxParams = 1000; // the model has 32*64+64 + 64*10+10 = 2762 weights
        var e = Assert.Throws<ModelConfigException>(() => Keras.ModelFromJson(json));
        Assert.Contains("1000-weight limit", e.Message);
        KerasContext.Current.Limits.MaxParams = 3000;
        Assert.Equal(2762, Keras.ModelFromJson(json).CountParams());
    }

    [Fact]
    public void MaxArchiveJsonBytesBoundsKerasFiles()
    {
        var dir = TestUtil.Oracle.TempDir();
        var path = Path.Combine(dir, "m.keras");
        new Sequential([new Dense(4, inputShape: 3)]).Save(path);
        KerasContext.Current.Limits.MaxArchiveJsonBytes = 10;
        var e = Assert.Throws<InvalidModelFileException>(() => Keras.LoadModel(path));
        Assert.Contains("10-byte limit", e.Message);
        KerasContext.Current.Limits.MaxArchiveJsonBytes = KerasLimits.DefaultMaxArchiveJsonBytes;
        Assert.Equal(16, Keras.LoadModel(path).CountParams());
    }
}

#nullable enable
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>Seeded mutations of saved files end in success or a KerasNetException, never another exception.</summary>
public class MutationTests
{
    [Theory]
    [InlineData("m.h5", 11)]
    [InlineData("m.keras", 12)]
    [InlineData("m.weights.h5", 13)]
    public void MutatedFilesFailCleanly(string file, int seed)
    {
        var dir = Oracle.TempDir();
        var path = Path.Combine(dir, file);
        var model = SavingTestUtil.SmallCnn();
        if (file.EndsWith(".weights.h5")) model.SaveWeights(path); else model.Save(path);
        var original = File.ReadAllBytes(path);
        var rng = new Random(seed);
        var failures = new List<string>();
        for (int i = 0; i < 150; i++)
        {
            var bytes = (byte[])original.Clone();
            int kind = i % 3;
            if (kind == 0) for (int k = 0; k < 1 + rng.Next(8); k++) bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
            else if (kind == 1) bytes = bytes[..rng.Next(bytes.Length)];
            else { int at = rng.Next(bytes.Length); int len = Math.Min(bytes.Length - at, 1 + rng.Next(64)); rng.NextBytes(bytes.AsSpan(at, len)); }
            var mutated = Path.Combine(dir, $"x{i}{file}");
            File.WriteAllBytes(mutated, bytes);
            try
            {
                if (file.EndsWith(".weights.h5")) SavingTestUtil.SmallCnn().LoadWeights(mutated);
                else Keras.LoadModel(mutated);
            }
            catch (KerasNetException) { }
            catch (Exception e) { failures.Add($"case {i} (kind {kind}): {e.GetType().Name}: {e.Message}"); }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public void MutatedJsonFailsCleanly()
    {
        var json = SavingTestUtil.SmallCnn().ToJson();
        var rng = new Random(21);
        const string alphabet = "{}[]\",:0123456789-.eE truefalsn";
        var failures = new List<string>();
        for (int i = 0; i < 600; i++)
        {
            var chars = json.ToCharArray();
            for (int k = 0; k < 1 + rng.Next(4); k++) chars[rng.Next(chars.Length)] = alphabet[rng.Next(alphabet.Length)];
            var text = new string(chars);
            if (i % 5 == 0) text = text[..rng.Next(text.Length)];
            try { Keras.ModelFromJson(text); }
            catch (KerasNetException) { }
            catch (Exception e) { failures.Add($"case {i}: {e.GetType().Name}: {e.Message}"); }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }
}

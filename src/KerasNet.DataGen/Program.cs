#nullable enable
using KerasNet.DataGen;
using KerasNet.Preprocessing.Image;

// Generates the tutorial-like two-class dataset (see data/README.md):
//   dotnet run --project src/KerasNet.DataGen -c Release -- [--out data/homer_bart_2] [--seed 2024] [--check EPOCHS [--train-seed N]]
// --check trains the tutorial network on the result as `kerasnet train --seed N` does (N = --train-seed, default 1) and
// prints the validation accuracy per epoch and a SEED summary line;
// --bench times decoding+resizing and augmentation. Both use an existing folder as it is.
string outDir = "data/homer_bart_2";
int seed = 2024, check = 0, trainSeed = 1;
bool bench = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out": outDir = args[++i]; break;
        case "--seed": seed = int.Parse(args[++i]); break;
        case "--check": check = int.Parse(args[++i]); break;
        case "--train-seed": trainSeed = int.Parse(args[++i]); break;
        case "--bench": bench = true; break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: [--out DIR] [--seed N] [--check EPOCHS [--train-seed N]] [--bench]");
            return 2;
    }
}

if ((check == 0 && !bench) || !Directory.Exists(outDir))
{
    var counts = new (string Split, string Class, int Count)[]
    {
        ("training_set", "bart", 111), ("training_set", "homer", 104), ("test_set", "bart", 28), ("test_set", "homer", 26),
    };
    long bytes = 0;
    foreach (var (split, cls, count) in counts)
    {
        var dir = Path.Combine(outDir, split, cls);
        if (Directory.Exists(dir)) foreach (var f in Directory.GetFiles(dir, "*.bmp")) File.Delete(f);
        Directory.CreateDirectory(dir);
        for (int k = 0; k < count; k++)
        {
            // one generator per picture, so any single file can be regenerated alone and the order of work is irrelevant
            var rng = new Random(StableHash(seed, split, cls, k));
            var canvas = Scene.Draw(rng, cls == "homer");
            var path = Path.Combine(dir, $"{cls}{k + 1}.bmp");
            BmpWriter.Save(path, canvas.Width, canvas.Height, canvas.Pixels);
            bytes += new FileInfo(path).Length;
        }
    }
    Console.WriteLine($"Wrote {counts.Sum(c => c.Count)} images ({bytes / 1e6:F2} MB) to {outDir} with seed {seed}.");
}
if (bench) LoadingBench.Run(outDir);
if (check > 0) TutorialCheck.Run(outDir, check, trainSeed);
return 0;

// HashCode.Combine is randomised per process; this FNV-1a mix is stable across runs and machines.
static int StableHash(int seed, string split, string cls, int k)
{
    unchecked
    {
        uint h = 2166136261u ^ (uint)seed;
        foreach (char ch in split + "/" + cls) h = (h ^ ch) * 16777619u;
        h = (h ^ (uint)k) * 16777619u;
        return (int)(h & 0x7fffffff);
    }
}

#nullable enable
using System.Diagnostics;
using Xunit.Abstractions;

namespace KerasNet.Tests.Faults;

/// <summary>
/// Runs mutated inputs through a reader and sorts every outcome: success, a KerasNetException (good), or a
/// failure: another exception type, a case that outlives its deadline (a hang) or one that allocates far more than
/// the input could justify (a size field trusted before it was checked).
/// </summary>
internal sealed class FuzzHarness(string format, ITestOutputHelper output)
{
    /// <summary>Longer than any sane case on a loaded 2-core CI machine; a loop on corrupt data never ends.</summary>
    public static TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// No case may allocate more than this: inputs are kB to a few MB, and a size field trusted before it was
    /// checked (by KerasNet, PureHDF or stb) asks for GBs.
    /// </summary>
    public const long MaxAllocatedBytes = 256L << 20;


    private readonly List<string> _failures = new();
    private readonly Dictionary<string, int> _outcomes = new();
    private int _cases;
    private bool _hung;
    private long _worstAllocation;
    private readonly Stopwatch _clock = new();

    /// <summary>The outcome kinds seen: "ok" or an exception type name.</summary>
    public IReadOnlyCollection<string> Outcomes => _outcomes.Keys;

    /// <summary>Cases run so far.</summary>
    public int Cases => _cases;

    /// <summary>Runs <paramref name="count"/> mutations of <paramref name="seed"/> through <paramref name="read"/>.</summary>
    public void Mutate(byte[] seed, int rngSeed, int count, Action<byte[]> read, string label = "")
    {
        var m = new Mutator(seed, rngSeed);
        for (int i = 0; i < count; i++)
        {
            var (kind, bytes) = m.Next(i);
            Case($"{label}#{i} {kind} ({bytes.Length} bytes)", () => read(bytes), bytes);
        }
    }

    /// <summary>Runs one case with the deadline and the allocation bound; a failing input is kept for replay.</summary>
    public void Case(string name, Action run, byte[]? input = null)
    {
        int before = _failures.Count;
        CaseCore(name, run);
        if (_failures.Count > before && input != null)
        {
            // Outside the run's temporary root (deleted when the run ends): a failing input is kept for replay.
            var file = Path.Combine(KerasNet.Tests.TestUtil.TestTemp.SystemTemp, "kerasnet-fuzz", $"{format}-{_cases}.bin".Replace('/', '_'));
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, input);
            _failures[^1] += $"\n  input kept in {file}";
        }
        // The hung case still owns a thread: stop here rather than pile more work on the machine.
        if (_hung) AssertClean();
    }

    private void CaseCore(string name, Action run)
    {
        _cases++;
        _clock.Start();
        long allocated = 0;
        var task = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { run(); return "ok"; }
            finally { allocated = GC.GetAllocatedBytesForCurrentThread() - before; }
        });
        string outcome;
        try
        {
            // A hung case keeps its thread; the test fails at once instead of waiting for it.
            if (!task.Wait(Deadline)) throw new TimeoutException();
            outcome = "ok";
        }
        catch (TimeoutException)
        {
            _clock.Stop();
            _failures.Add($"{name}: no result after {Deadline.TotalSeconds} s (hang)");
            _hung = true;
            return;
        }
        catch (AggregateException ae) when (ae.InnerException is KerasNetException k) { outcome = k.GetType().Name; }
        catch (AggregateException ae)
        {
            var e = ae.InnerException!;
            outcome = "FAIL";
            _failures.Add($"{name}: {e.GetType().Name}: {e.Message}\n{e.StackTrace?.Split('\n').Take(6).Aggregate((a, b) => a + "\n" + b)}");
        }
        _clock.Stop();
        _worstAllocation = Math.Max(_worstAllocation, allocated);
        if (allocated > MaxAllocatedBytes) _failures.Add($"{name}: allocated {allocated >> 20} MB ({outcome})");
        _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
    }

    /// <summary>Prints the tally and fails on any bad outcome.</summary>
    public void AssertClean()
    {
        var tally = string.Join(", ", _outcomes.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"));
        output.WriteLine($"{format}: {_cases} cases in {_clock.Elapsed.TotalSeconds:F1} s; {tally}; most allocated by one case {_worstAllocation >> 10} kB");
        Assert.True(_failures.Count == 0, $"{format}: {_failures.Count} of {_cases} cases failed:\n" + string.Join("\n", _failures.Take(8)));
    }
}

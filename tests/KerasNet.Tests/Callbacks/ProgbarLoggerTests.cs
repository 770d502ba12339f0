using System.Text.Json;
using System.Text.RegularExpressions;
using KerasNet.Callbacks;
using KerasNet.Models;
using KerasNet.Tests.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Callbacks;

/// <summary>
/// ProgbarLogger as Fit's progress output: the one Fit adds, a passed one (used instead, not duplicated), count_mode
/// "samples" as tf.keras 2.4 prints it, and stateful_metrics' averaging; the expected text is a Python transcription
/// of tf.keras 2.4's ProgbarLogger + Progbar (callbacks.py, generic_utils.py), fed with the seconds KerasNet printed.
/// </summary>
public class ProgbarLoggerTests
{
    private static Sequential Classifier() => FitApiTests.Classifier(3);

    private static string Text(Model m) => m.ProgressOutput!.ToString()!.Replace("\r\n", "\n");

    // The timing text varies run to run; everything else must match.
    private static string Untimed(string s) => Regex.Replace(s, @" - \d+s( \d+(ms|us|s)/(step|sample))?", " - <t>");

    [Fact]
    public void APassedStepsLoggerPrintsExactlyWhatFitPrintsWithoutOne()
    {
        var (x, y) = FitOptionsTfjsTests.Data(20, seed: 1);
        var plain = Classifier();
        plain.Fit(x, y, batchSize: 6, epochs: 2, validationSplit: 0.2, shuffle: false);
        var passed = Classifier();
        passed.Fit(x, y, batchSize: 6, epochs: 2, validationSplit: 0.2, shuffle: false, callbacks: [new ProgbarLogger("steps")]);
        Assert.Equal(Untimed(Text(plain)), Untimed(Text(passed)));
        Assert.Single(Regex.Matches(Text(passed), "Epoch 1/2")); // used instead of Fit's own, not beside it
        Assert.Equal(2, Text(passed).Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("3/3 [", StringComparison.Ordinal)));
    }

    [Fact]
    public void VerboseZeroSilencesAPassedLogger()
    {
        var (x, y) = FitOptionsTfjsTests.Data(12, seed: 1);
        var m = Classifier();
        m.Fit(x, y, epochs: 2, verbose: 0, callbacks: [new ProgbarLogger()]);
        Assert.Equal("", Text(m));
        Assert.Contains("count_mode", Assert.Throws<KerasNetException>(() => new ProgbarLogger("batches")).Message);
    }

    [SkippableFact]
    public void SamplesModePrintsTfKeras24sTextWithTheTrainCounterAsTarget()
    {
        Oracle.RequirePython("numpy");
        var (x, y) = FitOptionsTfjsTests.Data(20, seed: 1);
        var m = Classifier();
        var h = m.Fit(x, y, batchSize: 6, epochs: 2, shuffle: false, callbacks: [new ProgbarLogger()]);
        string text = Text(m);
        var times = Regex.Matches(text, @" - (\d+)s (\d+)(ms|us|s)/sample").Select(g => new[] { g.Groups[1].Value, g.Groups[2].Value + g.Groups[3].Value }).ToArray();
        Assert.Equal(2, times.Length);
        var payload = JsonSerializer.Serialize(new { history = h.history, keys = new[] { "loss", "accuracy" }, times, steps = 4 });
        // tf.keras 2.4: batch logs carry no 'size', so seen stays 0; at the first epoch's end target = the train
        // counter (4 steps) and the final update is progbar.update(target, finalize=True) with unit_name 'sample'.
        var expected = Oracle.RunPythonCode("""
            import json, sys, numpy as np
            p = json.loads(sys.argv[1])
            out = []
            for e in range(2):
                out.append('Epoch %d/%d' % (e + 1, 2))
                target = p['steps']; current = target
                numdigits = int(np.log10(target)) + 1
                bar = ('%' + str(numdigits) + 'd/%d [') % (current, target)
                w = int(30 * float(current) / target)
                bar += '=' * (w - 1) + ('>' if current < target else '=') + '.' * (30 - w) + ']'
                info = ' - %ss %s/sample' % tuple(p['times'][e])
                for k in p['keys']:
                    v = p['history'][k][e]
                    info += ' - %s:' % k
                    info += (' %.4f' % v) if abs(v) > 1e-3 else (' %.4e' % v)
                out.append(bar + info)
            sys.stdout.write('\n'.join(out) + '\n')
            """, payload);
        Assert.Equal(expected, text);
    }

    [SkippableFact]
    public void StatefulMetricsLeaveTheOthersAveragedOverTheBarsUpdates()
    {
        Oracle.RequirePython("numpy");
        var (x, y) = FitOptionsTfjsTests.Data(18, seed: 2);
        var m = Classifier();
        var batchLosses = new List<double>();
        var record = new LambdaCallback(onBatchEnd: (_, logs) => batchLosses.Add(logs["loss"]));
        var h = m.Fit(x, y, batchSize: 6, shuffle: false, callbacks: [new ProgbarLogger("steps", statefulMetrics: ["accuracy"]), record]);
        var line = Text(m).Trim();
        // Keras's Progbar: loss is not stateful, so it shows sum(v * max(current - seen_so_far, 1)) / sum(weights) over
        // the three batch updates and the final one (which carries the epoch's value, weight 1).
        var payload = JsonSerializer.Serialize(new { batch = batchLosses, epoch = h.history["loss"][0], acc = h.history["accuracy"][0] });
        var expected = Oracle.RunPythonCode("""
            import json, sys
            p = json.loads(sys.argv[1])
            vals, weights, seen = [], [], 0
            for current, v in [(1, p['batch'][0]), (2, p['batch'][1]), (3, p['batch'][2]), (3, p['epoch'])]:
                w = max(current - seen, 1); seen = current
                vals.append(v * w); weights.append(w)
            sys.stdout.write(' - loss: %.4f - accuracy: %.4f' % (sum(vals) / sum(weights), p['acc']))
            """, payload);
        Assert.EndsWith(expected, line);
        Assert.NotEqual(Progbar.FormatValue(h.history["loss"][0]), Regex.Match(line, @"loss: (\S+)").Groups[1].Value);
    }
}

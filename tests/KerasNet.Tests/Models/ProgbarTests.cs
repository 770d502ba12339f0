using KerasNet.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Models;

public class ProgbarTests
{
    [Theory]
    // Expected strings were printed by tf.keras 2.4's Progbar bar code run in Python (w = int(30 * current / target)).
    [InlineData(1, 27, " 1/27 [>.............................]")]
    [InlineData(13, 27, "13/27 [=============>................]")]
    [InlineData(26, 27, "26/27 [===========================>..]")]
    [InlineData(27, 27, "27/27 [==============================]")]
    [InlineData(0, 5, "0/5 [..............................]")]
    [InlineData(7, 216, "  7/216 [..............................]")]
    [InlineData(8, 216, "  8/216 [>.............................]")]
    public void BarMatchesKeras(int current, int target, string expected) => Assert.Equal(expected, Progbar.Bar(current, target));

    [Theory]
    [InlineData(0.06, "60ms/step")]
    [InlineData(2.4, "2s/step")]
    [InlineData(0.00085, "850us/step")]
    [InlineData(0, "0s/step")]
    [InlineData(0.0015, "2ms/step")] // %.0f of 1.5 rounds half to even
    [InlineData(0.0025, "2ms/step")]
    public void PerStepPicksKerasUnit(double seconds, string expected) => Assert.Equal(expected, Progbar.PerStep(seconds));

    [SkippableFact]
    public void FormatValueEqualsPythonPercentFormatting()
    {
        Oracle.RequirePython();
        double[] values = [0.6931471805599453, 0.5, 0.96875, 0.03125, 0.15625, 1e-3, 0.0010001, 1e-4, 0, -0.5, -2e-4, 123.456789, 12345678.9, 2.5e-7, 0.99995];
        var py = Oracle.RunPythonCode(
            "import sys\nfor a in sys.argv[1:]:\n v=float(a)\n print(('%.4f' % v) if abs(v) > 1e-3 else ('%.4e' % v))",
            values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        var expected = py.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected, values.Select(Progbar.FormatValue));
    }

    [Fact]
    public void FormatValueKnownCases()
    {
        // From Python: '%.4f' % 0.96875 == '0.9688', '%.4f' % 0.03125 == '0.0312', '%.4e' % 1e-4 == '1.0000e-04'.
        Assert.Equal("0.9688", Progbar.FormatValue(0.96875));
        Assert.Equal("0.0312", Progbar.FormatValue(0.03125));
        Assert.Equal("1.0000e-04", Progbar.FormatValue(1e-4));
        Assert.Equal("0.0000e+00", Progbar.FormatValue(0));
        Assert.Equal("nan", Progbar.FormatValue(double.NaN));
    }

    [Fact]
    public void Verbose2UsesExponentForNegativeValuesAsKeras24()
    {
        var w = new StringWriter();
        var bar = new Progbar(4, verbose: 2, output: w);
        bar.Update(2, [new("loss", 0.25)]);
        Assert.Equal("", w.ToString());
        bar.Update(4, [new("loss", -0.25), new("accuracy", 0.5)]);
        Assert.Matches(@"^4/4 - \d+s - loss: -2\.5000e-01 - accuracy: 0\.5000\r?\n$", w.ToString());
    }

    [Fact]
    public void Verbose1WithoutTerminalWritesOnlyTheFinalLine()
    {
        var w = new StringWriter();
        var bar = new Progbar(3, verbose: 1, output: w);
        bar.Update(1, [new("loss", 1.0)]);
        bar.Update(2, [new("loss", 1.0)]);
        Assert.Equal("", w.ToString());
        bar.Update(3, [new("loss", 0.5)]);
        Assert.Matches(@"^3/3 \[=+\] - \d+s \d+(us|ms|s)/step - loss: 0\.5000\r?\n$", w.ToString());
    }

    [Fact]
    public void DynamicDisplayRedrawsWithCarriageReturnAndEta()
    {
        var w = new StringWriter();
        var bar = new Progbar(3, verbose: 1, output: w, dynamic: true);
        bar.Update(1, [new("loss", 1.0)]);
        Assert.Matches(@"^\r1/3 \[=========>\.{20}\] - ETA: \d+s - loss: 1\.0000$", w.ToString());
        bar.Update(3, [new("loss", 0.5)], finalize: true);
        Assert.EndsWith("\n", w.ToString());
        Assert.Contains("\r3/3 [==============================]", w.ToString());
    }

    [Fact]
    public void PerStepTimeLeavesOutTheFirstStepAsKeras24()
    {
        var w = new StringWriter();
        double t = 0;
        var bar = new Progbar(4, verbose: 1, output: w) { Now = () => t };
        double[] times = [5.0, 5.1, 5.2, 5.3];
        for (int i = 0; i < 4; i++) { t = times[i]; bar.Update(i + 1, [new("loss", 0.5)]); }
        // (5.3 - 5.0) / 3 steps = 100 ms; the elapsed time still counts the first step.
        Assert.Equal("4/4 [==============================] - 5s 100ms/step - loss: 0.5000" + Environment.NewLine, w.ToString());

        var eta = new StringWriter();
        t = 0;
        var running = new Progbar(10, verbose: 1, output: eta, dynamic: true) { Now = () => t };
        t = 30; running.Update(1, []);
        t = 32; running.Update(2, []);
        Assert.Contains("\r 2/10 [=====>........................] - ETA: 16s", eta.ToString()); // 8 steps left at 2 s each (then padding over the longer line before)
    }
}

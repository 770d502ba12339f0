using System.Text.Json;
using KerasNet.Callbacks;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Callbacks;

public class PythonFormatTests
{
    private static readonly string[] Templates =
    [
        "weights.{epoch:02d}-{val_loss:.2f}.hdf5", "model_{epoch}.h5", "ckpt-{epoch:03d}-{val_accuracy:.4f}-{loss:.3e}.h5",
        "{loss}", "{val_loss:08.3f}|{epoch:>5}|{epoch:<4}|{epoch:^7}|{loss:+.1f}", "{{literal}}-{epoch:d}", "{accuracy:.1%}", "{loss:g}|{val_loss:.3g}|{tiny:g}|{big:g}",
    ];

    [SkippableFact]
    public void FormatEqualsPythonStrFormatOnFloat32Logs()
    {
        Oracle.RequirePython("numpy");
        var logs = new Dictionary<string, double> { ["loss"] = 0.69314718, ["val_loss"] = 1.23456789, ["accuracy"] = 0.96875, ["val_accuracy"] = 0.5185185, ["tiny"] = 1.5e-6, ["big"] = 123456789.0 };
        var values = new Dictionary<string, object> { ["epoch"] = 7 };
        foreach (var (k, v) in logs) values[k] = v;
        var code = "import sys, json, numpy as np\nlogs = json.loads(sys.argv[1])\nfor t in json.loads(sys.argv[2]):\n print(t.format(epoch=7, **{k: np.float32(v) for k, v in logs.items()}))";
        var py = Oracle.RunPythonCode(code, JsonSerializer.Serialize(logs), JsonSerializer.Serialize(Templates)).Split('\n');
        for (int i = 0; i < Templates.Length; i++)
            Assert.Equal(py[i], PythonFormat.Format(Templates[i], values, "test"));
    }

    [Fact]
    public void UnknownKeysAndBadSpecsNameTheFilepath()
    {
        var values = new Dictionary<string, object> { ["epoch"] = 1, ["loss"] = 0.5 };
        var ex = Assert.Throws<KerasNetException>(() => PythonFormat.Format("w-{val_loss:.2f}.h5", values, "ModelCheckpoint"));
        Assert.Contains("w-{val_loss:.2f}.h5", ex.Message);
        Assert.Contains("val_loss", ex.Message);
        Assert.Throws<KerasNetException>(() => PythonFormat.Format("{loss:02d}", values, "ModelCheckpoint"));
        Assert.Throws<KerasNetException>(() => PythonFormat.Format("{epoch", values, "ModelCheckpoint"));
    }
}

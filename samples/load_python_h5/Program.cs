// Loading a model that Python Keras saved (a full-model .h5 from keras.models.save_model / model.save, or a Keras 3
// .keras archive) and predicting with it, ported line by line from this program (tf.keras 2.4 or Keras 3 run it):
//
//     import os, sys, tempfile
//     import numpy as np
//     from tensorflow import keras
//
//     # Usage: python load_python_h5.py MODEL.h5 [INPUT.npy] [--out OUTPUT_DIR]
//     args = sys.argv[1:]
//     out = os.path.join(tempfile.gettempdir(), "kerasnet-samples", "load_python_h5")
//     if "--out" in args:
//         i = args.index("--out"); out = args[i + 1]; del args[i:i + 2]
//     model_path = args[0]
//     input_path = args[1] if len(args) > 1 else None
//
//     model = keras.models.load_model(model_path)
//     model.summary()
//
//     if input_path:
//         x = np.load(input_path).astype("float32")
//     else:
//         # No input given: one sample of the model's input shape, x[h, w, c] = ((h*W + w)*C + c) % 256 / 255
//         shape = model.input_shape[1:]
//         x = (np.arange(np.prod(shape)) % 256 / 255).astype("float32").reshape((1,) + shape)
//     print("input shape:", x.shape)
//     predictions = model.predict(x)
//     print("predictions shape:", predictions.shape)
//     for row in predictions:
//         print(" ".join(f"{v:.4f}" for v in row))
//     print("argmax:", predictions.argmax(axis=-1).tolist())
//
//     os.makedirs(out, exist_ok=True)
//     np.save(os.path.join(out, "x_sample.npy"), x)
//     np.save(os.path.join(out, "predictions.npy"), predictions)
//     model.save(os.path.join(out, "load_python_h5.h5"))      # saved again, as tf.keras 2.4's HDF5
//     model.save(os.path.join(out, "load_python_h5.keras"))   # and as a Keras 3 archive
//     for name in sorted(os.listdir(out)):
//         print(os.path.join(out, name))
//
// Usage: dotnet run -c Release --project samples/load_python_h5 -- MODEL.h5 [INPUT.npy] [--out OUTPUT_DIR]
// (real Python-saved models with inputs and expected outputs: the Keras fixtures, KERASNET_FIXTURES or
// ../shared/fixtures/keras beside the repository, e.g. binhgo_Learn-AI__mnist_cnn.h5 with inputs/ and expected/).
// Each C# statement below sits under the Python line it ports.
using System.Globalization;
using KerasNet;
using KerasNet.Engine;
using KerasNet.Saving;

// args = sys.argv[1:]
var rest = args.ToList();
// out = os.path.join(tempfile.gettempdir(), "kerasnet-samples", "load_python_h5")
string output = Path.Combine(Path.GetTempPath(), "kerasnet-samples", "load_python_h5");
// if "--out" in args:
int at = rest.IndexOf("--out");
if (at >= 0)
{
    if (at + 1 >= rest.Count) return Usage("--out needs a folder");
    // i = args.index("--out"); out = args[i + 1]; del args[i:i + 2]
    output = rest[at + 1];
    rest.RemoveRange(at, 2);
}
if (rest.Count is < 1 or > 2 || rest.Any(a => a.StartsWith("--", StringComparison.Ordinal))) return Usage("give a model file and optionally an input .npy");
// model_path = args[0]
string modelPath = rest[0];
// input_path = args[1] if len(args) > 1 else None
string? inputPath = rest.Count > 1 ? rest[1] : null;

try
{
    // model = keras.models.load_model(model_path)
    var model = Keras.LoadModel(modelPath);
    // model.summary()
    model.Summary();

    Tensor x;
    // if input_path:
    if (inputPath != null)
    {
        // x = np.load(input_path).astype("float32")
        x = Npy.Load(inputPath);
    }
    // else:
    else
    {
        // shape = model.input_shape[1:]
        var shape = model.Inputs[0].Shape;
        // x = (np.arange(np.prod(shape)) % 256 / 255).astype("float32").reshape((1,) + shape)
        x = new Tensor([1, .. shape]);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(i % 256 / 255.0);
    }
    // print("input shape:", x.shape)
    Console.WriteLine($"input shape: ({string.Join(", ", x.Shape)})");
    // predictions = model.predict(x)
    var predictions = model.Predict(x);
    // print("predictions shape:", predictions.shape)
    Console.WriteLine($"predictions shape: ({string.Join(", ", predictions.Shape)})");
    // for row in predictions: print(" ".join(f"{v:.4f}" for v in row))
    int width = predictions.SampleSize;
    for (int r = 0; r < predictions.BatchSize; r++)
        Console.WriteLine(string.Join(" ", predictions.Span.Slice(r * width, width).ToArray().Select(v => v.ToString("F4", CultureInfo.InvariantCulture))));
    // print("argmax:", predictions.argmax(axis=-1).tolist())
    var argmax = Enumerable.Range(0, predictions.BatchSize).Select(r =>
    {
        var row = predictions.Span.Slice(r * width, width);
        int best = 0;
        for (int j = 1; j < row.Length; j++) if (row[j] > row[best]) best = j;
        return best;
    });
    Console.WriteLine($"argmax: [{string.Join(", ", argmax)}]");

    // os.makedirs(out, exist_ok=True)
    Directory.CreateDirectory(output);
    // np.save(os.path.join(out, "x_sample.npy"), x)
    Npy.Save(Path.Combine(output, "x_sample.npy"), x);
    // np.save(os.path.join(out, "predictions.npy"), predictions)
    Npy.Save(Path.Combine(output, "predictions.npy"), predictions);
    // model.save(os.path.join(out, "load_python_h5.h5"))
    model.Save(Path.Combine(output, "load_python_h5.h5"));
    // model.save(os.path.join(out, "load_python_h5.keras"))
    model.Save(Path.Combine(output, "load_python_h5.keras"));
    // for name in sorted(os.listdir(out)): print(os.path.join(out, name))
    foreach (var name in Directory.GetFiles(output).Order(StringComparer.Ordinal)) Console.WriteLine(name);
    return 0;
}
catch (Exception e) when (e is KerasNetException or IOException or UnauthorizedAccessException)
{
    // (Python prints the traceback; here the message, exit code 1)
    Console.Error.WriteLine($"load_python_h5: {e.Message}");
    return 1;
}

static int Usage(string why)
{
    Console.Error.WriteLine($"usage: load_python_h5 MODEL.h5 [INPUT.npy] [--out OUTPUT_DIR] ({why})");
    return 2;
}

using System.Text.Json;
using KerasNet.Preprocessing.Image;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Preprocessing;

/// <summary>
/// image_dataset_from_directory's "bicubic" (tf.image.resize, antialias=False: ResizeBicubic with half-pixel
/// centres) against a numpy float32 transcription of TensorFlow's kernel definition (resize_bicubic_op.cc: Keys'
/// cubic a=-0.5 from the 1024-entry table, out-of-image taps weighted 0 and the weights renormalised, columns
/// first), on shrinking, enlarging and cropped boxes.
/// </summary>
public class TfBicubicTests
{
    private const string Transcription = """
        import json, sys, numpy as np
        a = json.loads(sys.argv[1])
        h, w, c = a['shape']; oh, ow = a['out']; by, bx, bh, bw = a['box']
        img = np.array(a['pixels'], np.uint8).reshape(h, w, c)[by:by + bh, bx:bx + bw].astype(np.float32)
        T = 1024
        tab = np.zeros((T + 1) * 2, np.float32); A = -0.5
        for i in range(T + 1):
            x = np.float32(i * 1.0 / T)
            tab[2 * i] = np.float32(((A + 2) * float(x) - (A + 3)) * float(x) * float(x) + 1)
            x = np.float32(x + np.float32(1.0))
            tab[2 * i + 1] = np.float32(((A * float(x) - 5 * A) * float(x) + 8 * A) * float(x) - 4 * A)
        def taps(n_in, n_out):
            scale = np.float32(n_in) / np.float32(n_out)
            res = []
            for o in range(n_out):
                loc_f = np.float32(np.float32(np.float32(o) + np.float32(0.5)) * scale) - np.float32(0.5)
                loc = int(np.floor(loc_f)); delta = np.float32(loc_f - np.float32(loc))
                off = int(np.rint(np.float32(delta * np.float32(T))))
                ws = [tab[off * 2 + 1], tab[off * 2], tab[(T - off) * 2], tab[(T - off) * 2 + 1]]
                idx = []
                for k in range(4):
                    at = loc - 1 + k; b = min(n_in - 1, max(0, at)); idx.append(b)
                    if b != at: ws[k] = np.float32(0)
                s = np.float32(np.float32(np.float32(ws[0] + ws[1]) + ws[2]) + ws[3])
                if abs(s) >= np.float32(1000.0) * np.finfo(np.float32).tiny:
                    inv = np.float32(1.0) / s; ws = [np.float32(v * inv) for v in ws]
                res.append((idx, ws))
            return res
        ty, tx = taps(bh, oh), taps(bw, ow)
        out = np.zeros((oh, ow, c), np.float32)
        for y in range(oh):
            (yi, yw) = ty[y]
            for x in range(ow):
                (xi, xw) = tx[x]
                for ch in range(c):
                    col = []
                    for k in range(4):
                        v = [img[yi[j], xi[k], ch] for j in range(4)]
                        acc = np.float32(v[0] * yw[0]); acc = np.float32(acc + np.float32(v[1] * yw[1]))
                        acc = np.float32(acc + np.float32(v[2] * yw[2])); acc = np.float32(acc + np.float32(v[3] * yw[3]))
                        col.append(acc)
                    acc = np.float32(col[0] * xw[0]); acc = np.float32(acc + np.float32(col[1] * xw[1]))
                    acc = np.float32(acc + np.float32(col[2] * xw[2])); acc = np.float32(acc + np.float32(col[3] * xw[3]))
                    out[y, x, ch] = acc
        sys.stdout.write(json.dumps(out.ravel().astype(float).tolist()))
        """;

    [SkippableTheory]
    [InlineData(13, 17, 3, 5, 7, 0, 0, 13, 17)]   // shrinking
    [InlineData(6, 5, 1, 11, 14, 0, 0, 6, 5)]     // enlarging, grey
    [InlineData(12, 20, 4, 9, 9, 0, 4, 12, 12)]   // a crop_to_aspect_ratio box
    public void MatchesTensorFlowsKernelTranscribed(int h, int w, int c, int oh, int ow, int by, int bx, int bh, int bw)
    {
        Oracle.RequirePython("numpy");
        var r = new Random(h * 31 + w);
        var pixels = new byte[h * w * c];
        r.NextBytes(pixels);
        var dst = new float[oh * ow * c];
        TfResize.Resize(pixels, w, c, (by, bx, bh, bw), oh, ow, "bicubic", dst);
        var expected = JsonSerializer.Deserialize<double[]>(Oracle.RunPythonCode(Transcription, JsonSerializer.Serialize(new
        {
            shape = new[] { h, w, c }, @out = new[] { oh, ow }, box = new[] { by, bx, bh, bw }, pixels = pixels.Select(b => (int)b).ToArray(),
        })))!;
        double max = expected.Select((v, i) => Math.Abs(v - dst[i])).Max();
        Assert.True(max <= 0, $"bicubic max difference {max}");
        if (oh > h) Assert.Contains(dst, v => v < 0 || v > 255); // enlarged noise overshoots, as TensorFlow's (no clipping)
    }
}

#nullable enable
using KerasNet.ConsoleApp.Reporting;
using KerasNet.Tests.TestUtil;
using StbImageSharp;

namespace KerasNet.Tests.Console;

public sealed class PlotsTests
{
    private static ImageResult Decode(string path)
    {
        using var s = File.OpenRead(path);
        return ImageResult.FromStream(s, ColorComponents.RedGreenBlue);
    }

    private static int DistinctColors(ImageResult img) =>
        Enumerable.Range(0, img.Width * img.Height).Select(i => (img.Data[3 * i] << 16) | (img.Data[3 * i + 1] << 8) | img.Data[3 * i + 2]).Distinct().Count();

    [Fact]
    public void CurvesRenderHeadlessToANonBlankPng()
    {
        string path = Path.Combine(Oracle.TempDir(), "loss.png");
        Plots.Curves(path, "Loss", "loss", [("training", [0.69, 0.5, 0.4, 0.3]), ("validation", [0.7, 0.6, 0.55, 0.5])]);
        var img = Decode(path);
        Assert.Equal((Plots.Width, Plots.Height), (img.Width, img.Height));
        // Lines, legend, text and axes: far more than the background and one colour.
        Assert.True(DistinctColors(img) > 20, $"only {DistinctColors(img)} colours");
        int nonWhite = Enumerable.Range(0, img.Width * img.Height).Count(i => img.Data[3 * i] < 200 || img.Data[3 * i + 1] < 200 || img.Data[3 * i + 2] < 200);
        Assert.InRange(nonWhite, 1000, img.Width * img.Height / 2);
    }

    [Fact]
    public void ConfusionMatrixHeatmapShadesCellsByCount()
    {
        string path = Path.Combine(Oracle.TempDir(), "cm.png");
        Plots.ConfusionMatrix(path, new[,] { { 25, 3 }, { 0, 25 } }, ["bart", "homer"]);
        var img = Decode(path);
        // Sample each cell away from its centred label: bigger counts are darker, and row 0 is at the top.
        int Luma(double fx, double fy)
        {
            int i = 3 * ((int)(fy * img.Height) * img.Width + (int)(fx * img.Width));
            return img.Data[i] + img.Data[i + 1] + img.Data[i + 2];
        }
        int topLeft = Luma(0.2, 0.17), topRight = Luma(0.88, 0.17), bottomLeft = Luma(0.2, 0.83), bottomRight = Luma(0.88, 0.83);
        Assert.True(topLeft < topRight && bottomRight < bottomLeft && topRight < bottomLeft,
            $"cell brightness TL {topLeft} TR {topRight} BL {bottomLeft} BR {bottomRight}");
        Assert.Equal(topLeft, bottomRight);
        Assert.Equal((Plots.Width, Plots.Height), (img.Width, img.Height));
        // Blue shades cover the cells: many strongly blue pixels (b clearly above r).
        int blue = Enumerable.Range(0, img.Width * img.Height).Count(i => img.Data[3 * i + 2] > img.Data[3 * i] + 40);
        Assert.True(blue > img.Width * img.Height / 10, $"{blue} blue pixels");
        Assert.True(DistinctColors(img) > 20);
    }

    [Fact]
    public void ConfusionMatrixNeedsOneNamePerClass()
    {
        var e = Assert.Throws<KerasNetException>(() => Plots.ConfusionMatrix(Path.Combine(Oracle.TempDir(), "x.png"), new int[2, 2], ["a"]));
        Assert.Contains("x.png", e.Message);
    }
}

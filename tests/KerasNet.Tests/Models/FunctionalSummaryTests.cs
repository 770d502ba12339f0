using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Tests.Models;

/// <summary>
/// model.summary() of Functional and nested models against tables tf.keras printed (tensorflow
/// python/keras/utils/layer_utils.py print_summary, unchanged from 2.3 to 2.6), each rebuilt here with the same layers,
/// names and shapes. Every expected text is copied from the cited source, trailing spaces included; nothing in it was
/// computed here. The rule tests at the end check cells the sources show in other models (cut cells, several
/// connections, nested calls numbered from 0, frozen nested models) on graphs KerasNet can build today.
/// </summary>
public class FunctionalSummaryTests
{
    private static string Text(params string[] lines) => string.Join("\n", lines) + "\n";

    /// <summary>
    /// Source: the Keras functional API guide, "mnist_model" (https://keras.io/guides/functional_api/; text from
    /// https://github.com/keras-team/keras-io/blob/14dd69a57c7a330ca51e025fe2a9e159b7ef265e/guides/md/functional_api.md).
    /// A chain-shaped Functional model prints the 65-column table, InputLayer row included, its shape a list of one tuple.
    /// </summary>
    [Fact]
    public void MnistModelOfTheFunctionalApiGuide()
    {
        KerasBackend.ClearSession();
        var inputs = Keras.Input(shape: 784);
        var x = new Dense(64, activation: "relu").Apply(inputs);
        x = new Dense(64, activation: "relu").Apply(x);
        var outputs = new Dense(10).Apply(x);
        var model = new Model(inputs, outputs, name: "mnist_model");
        Assert.Equal(Text(
            "Model: \"mnist_model\"",
            "_________________________________________________________________",
            "Layer (type)                 Output Shape              Param #   ",
            "=================================================================",
            "input_1 (InputLayer)         [(None, 784)]             0         ",
            "_________________________________________________________________",
            "dense (Dense)                (None, 64)                50240     ",
            "_________________________________________________________________",
            "dense_1 (Dense)              (None, 64)                4160      ",
            "_________________________________________________________________",
            "dense_2 (Dense)              (None, 10)                650       ",
            "=================================================================",
            "Total params: 55,050",
            "Trainable params: 55,050",
            "Non-trainable params: 0",
            "_________________________________________________________________"), model.SummaryText());
    }

    /// <summary>
    /// Source: DeepLearning.AI "Custom Models, Layers, and Loss Functions with TensorFlow", week 1 ungraded lab
    /// "Build a Multi-output Model" (energy efficiency data, 8 features), as run and saved in
    /// https://github.com/saikhu/TensorFlow-Advanced-Techniques-Specialization/blob/84f381c6db1a14c9a1a369e182367704e30b584f/C1_W1_Lab_2_multi-output.ipynb
    /// (a tf.keras 2.x run; the rows of these Dense-only graphs print the same in 2.4). A branching model prints the
    /// 98-column table with "Connected to", layers in Keras's depth order (dense_2 before y1_output).
    /// </summary>
    [Fact]
    public void EnergyEfficiencyMultiOutputLab()
    {
        KerasBackend.ClearSession();
        var inputLayer = Keras.Input(shape: 8);
        var firstDense = new Dense(128, activation: "relu").Apply(inputLayer);
        var secondDense = new Dense(128, activation: "relu").Apply(firstDense);
        var y1Output = new Dense(1, name: "y1_output").Apply(secondDense);
        var thirdDense = new Dense(64, activation: "relu").Apply(secondDense);
        var y2Output = new Dense(1, name: "y2_output").Apply(thirdDense);
        var model = new Model([inputLayer], [y1Output, y2Output]);
        Assert.Equal(Text(
            "Model: \"model\"",
            "__________________________________________________________________________________________________",
            "Layer (type)                    Output Shape         Param #     Connected to                     ",
            "==================================================================================================",
            "input_1 (InputLayer)            [(None, 8)]          0                                            ",
            "__________________________________________________________________________________________________",
            "dense (Dense)                   (None, 128)          1152        input_1[0][0]                    ",
            "__________________________________________________________________________________________________",
            "dense_1 (Dense)                 (None, 128)          16512       dense[0][0]                      ",
            "__________________________________________________________________________________________________",
            "dense_2 (Dense)                 (None, 64)           8256        dense_1[0][0]                    ",
            "__________________________________________________________________________________________________",
            "y1_output (Dense)               (None, 1)            129         dense_1[0][0]                    ",
            "__________________________________________________________________________________________________",
            "y2_output (Dense)               (None, 1)            65          dense_2[0][0]                    ",
            "==================================================================================================",
            "Total params: 26,114",
            "Trainable params: 26,114",
            "Non-trainable params: 0",
            "__________________________________________________________________________________________________"), model.SummaryText());
    }

    /// <summary>
    /// Source: a public notebook export ("Exe. 5: Compile the Model", a Dense/Dropout MNIST autoencoder of two
    /// Sequential models without input shapes called on an Input; tf.keras 2.4+ naming) found with the project's code
    /// search, stored text id 20204488069; the index names no repository for it, so no URL can be given. Nested models
    /// print as one row "sequential (Sequential)" with their output shape and parameter count.
    /// </summary>
    [Fact]
    public void AutoencoderOfTwoNestedSequentials()
    {
        KerasBackend.ClearSession();
        const int latentSize = 32;
        var encoder = new Sequential();
        encoder.Add(new Dense(512, activation: "relu"));
        encoder.Add(new Dropout(0.2));
        encoder.Add(new Dense(128, activation: "relu"));
        encoder.Add(new Dropout(0.2));
        encoder.Add(new Dense(64, activation: "relu"));
        encoder.Add(new Dropout(0.2));
        encoder.Add(new Dense(latentSize, activation: "relu"));
        encoder.Add(new Dropout(0.2));
        var decoder = new Sequential();
        decoder.Add(new Dense(64, activation: "relu"));
        decoder.Add(new Dropout(0.2));
        decoder.Add(new Dense(128, activation: "relu"));
        decoder.Add(new Dropout(0.2));
        decoder.Add(new Dense(512, activation: "relu"));
        decoder.Add(new Dropout(0.2));
        decoder.Add(new Dense(784, activation: "sigmoid"));
        var img = Keras.Input(shape: 784);
        var latentVector = encoder.Apply(img);
        var output = decoder.Apply(latentVector);
        var model = new Model(img, output);
        Assert.Equal(Text(
            "Model: \"model\"",
            "_________________________________________________________________",
            "Layer (type)                 Output Shape              Param #   ",
            "=================================================================",
            "input_1 (InputLayer)         [(None, 784)]             0         ",
            "_________________________________________________________________",
            "sequential (Sequential)      (None, 32)                477920    ",
            "_________________________________________________________________",
            "sequential_1 (Sequential)    (None, 784)               478672    ",
            "=================================================================",
            "Total params: 956,592",
            "Trainable params: 956,592",
            "Non-trainable params: 0",
            "_________________________________________________________________"), model.SummaryText());
    }

    /// <summary>
    /// Source: the Keras functional API guide, "A toy ResNet model"
    /// (https://github.com/keras-team/keras-io/blob/14dd69a57c7a330ca51e025fe2a9e159b7ef265e/guides/md/functional_api.md).
    /// Shows a first cell cut at its column ("global_average_pooling2d (Globa"), two connections per Add row and a long
    /// connection ("global_average_pooling2d[0][0]").
    /// </summary>
    [Fact]
    public void ToyResNetOfTheFunctionalApiGuide()
    {
        KerasBackend.ClearSession();
        var inputs = Keras.Input(shape: (32, 32, 3), name: "img");
        var x = new Conv2D(32, 3, activation: "relu", name: "conv2d_8").Apply(inputs);
        x = new Conv2D(64, 3, activation: "relu", name: "conv2d_9").Apply(x);
        var block1Output = new MaxPooling2D(3, name: "max_pooling2d_2").Apply(x);
        x = new Conv2D(64, 3, activation: "relu", padding: "same", name: "conv2d_10").Apply(block1Output);
        x = new Conv2D(64, 3, activation: "relu", padding: "same", name: "conv2d_11").Apply(x);
        var block2Output = new Add(name: "add").Apply(x, block1Output);
        x = new Conv2D(64, 3, activation: "relu", padding: "same", name: "conv2d_12").Apply(block2Output);
        x = new Conv2D(64, 3, activation: "relu", padding: "same", name: "conv2d_13").Apply(x);
        var block3Output = new Add(name: "add_1").Apply(x, block2Output);
        x = new Conv2D(64, 3, activation: "relu", name: "conv2d_14").Apply(block3Output);
        x = new GlobalAveragePooling2D(name: "global_average_pooling2d").Apply(x);
        x = new Dense(256, activation: "relu", name: "dense_6").Apply(x);
        x = new Dropout(0.5, name: "dropout").Apply(x);
        var outputs = new Dense(10, name: "dense_7").Apply(x);
        var model = new Model(inputs, outputs, name: "toy_resnet");
        Assert.Equal(Text(
            "Model: \"toy_resnet\"",
            "__________________________________________________________________________________________________",
            "Layer (type)                    Output Shape         Param #     Connected to                     ",
            "==================================================================================================",
            "img (InputLayer)                [(None, 32, 32, 3)]  0                                            ",
            "__________________________________________________________________________________________________",
            "conv2d_8 (Conv2D)               (None, 30, 30, 32)   896         img[0][0]                        ",
            "__________________________________________________________________________________________________",
            "conv2d_9 (Conv2D)               (None, 28, 28, 64)   18496       conv2d_8[0][0]                   ",
            "__________________________________________________________________________________________________",
            "max_pooling2d_2 (MaxPooling2D)  (None, 9, 9, 64)     0           conv2d_9[0][0]                   ",
            "__________________________________________________________________________________________________",
            "conv2d_10 (Conv2D)              (None, 9, 9, 64)     36928       max_pooling2d_2[0][0]            ",
            "__________________________________________________________________________________________________",
            "conv2d_11 (Conv2D)              (None, 9, 9, 64)     36928       conv2d_10[0][0]                  ",
            "__________________________________________________________________________________________________",
            "add (Add)                       (None, 9, 9, 64)     0           conv2d_11[0][0]                  ",
            "                                                                 max_pooling2d_2[0][0]            ",
            "__________________________________________________________________________________________________",
            "conv2d_12 (Conv2D)              (None, 9, 9, 64)     36928       add[0][0]                        ",
            "__________________________________________________________________________________________________",
            "conv2d_13 (Conv2D)              (None, 9, 9, 64)     36928       conv2d_12[0][0]                  ",
            "__________________________________________________________________________________________________",
            "add_1 (Add)                     (None, 9, 9, 64)     0           conv2d_13[0][0]                  ",
            "                                                                 add[0][0]                        ",
            "__________________________________________________________________________________________________",
            "conv2d_14 (Conv2D)              (None, 7, 7, 64)     36928       add_1[0][0]                      ",
            "__________________________________________________________________________________________________",
            "global_average_pooling2d (Globa (None, 64)           0           conv2d_14[0][0]                  ",
            "__________________________________________________________________________________________________",
            "dense_6 (Dense)                 (None, 256)          16640       global_average_pooling2d[0][0]   ",
            "__________________________________________________________________________________________________",
            "dropout (Dropout)               (None, 256)          0           dense_6[0][0]                    ",
            "__________________________________________________________________________________________________",
            "dense_7 (Dense)                 (None, 10)           2570        dropout[0][0]                    ",
            "==================================================================================================",
            "Total params: 223,242",
            "Trainable params: 223,242",
            "Non-trainable params: 0",
            "__________________________________________________________________________________________________"), model.SummaryText());
    }

    // ---- rules the sources show on other models, checked cell by cell ----

    /// <summary>
    /// A nested multi-output model called twice, and a Dense shared by both calls. As tf.keras 2.4 prints (e.g.
    /// "model_1 (Functional) ... input_1[0][0]" with "input_2[0][0]" on the next row, then "lambda ... model_1[0][0]";
    /// "encoder (Functional) [(None, 10), (None, ..." with "encoder[0][0]", "encoder[0][1]"): a model's calls are
    /// numbered from 0 (tf.keras 2.3+ makes no node for the model itself), each call's inputs get a row, a list of
    /// output shapes is cut at its column like any cell, and a shared layer lists every call.
    /// </summary>
    [Fact]
    public void NestedModelCalledTwiceAndSharedLayer()
    {
        KerasBackend.ClearSession();
        var innerIn = Keras.Input(shape: 8, name: "inner_in");
        var h = new Dense(4, name: "inner_dense").Apply(innerIn);
        var tower = new Model([innerIn], [new Dense(2, name: "head_a").Apply(h), new Dense(3, name: "head_b").Apply(h)], name: "tower");
        var left = Keras.Input(shape: 8, name: "left");
        var right = Keras.Input(shape: 8, name: "right");
        var l = tower.ApplyMany(left);
        var r = tower.ApplyMany(right);
        var shared = new Dense(5, name: "shared");
        var model = new Model([left, right], [shared.Apply(l[1]), shared.Apply(r[1]), l[0]], name: "siamese");
        var rows = model.SummaryText().Split('\n');
        Assert.All(rows.Skip(1).Take(rows.Length - 6), row => Assert.Equal(98, row.Length));
        Assert.Contains("tower (Functional)              [(None, 2), (None, 3 61          left[0][0]                       ", rows);
        Assert.Contains("                                                                 right[0][0]                      ", rows);
        Assert.Contains("shared (Dense)                  (None, 5)            20          tower[0][1]                      ", rows);
        Assert.Contains("                                                                 tower[1][1]                      ", rows);
        Assert.Equal("Total params: 81", rows[^5]);
        Assert.Equal("Trainable params: 81", rows[^4]);
    }

    /// <summary>
    /// A layer called in two models lists, in each, only the calls of that model's graph (print_summary's
    /// relevant_nodes), and the second model's readers name its call [1].
    /// </summary>
    [Fact]
    public void OnlyTheCallsOfThisGraphAreConnected()
    {
        KerasBackend.ClearSession();
        var d = new Dense(3, name: "d");
        var a = Keras.Input(shape: 4, name: "a");
        _ = new Model(a, d.Apply(a), name: "first");
        var b = Keras.Input(shape: 4, name: "b");
        var c = Keras.Input(shape: 3, name: "c");
        var second = new Model([b, c], [new Dense(2, name: "e").Apply(d.Apply(b)), new Dense(2, name: "f").Apply(c)], name: "second");
        var rows = second.SummaryText().Split('\n');
        Assert.Contains("d (Dense)                       (None, 3)            15          b[0][0]                          ", rows);
        Assert.Contains("e (Dense)                       (None, 2)            8           d[1][0]                          ", rows);
        Assert.DoesNotContain(rows, row => row.Contains("a[0][0]"));
    }

    /// <summary>
    /// Cells longer than their column are cut, never wrapped (a 2.4 row is always exactly its width), in the layer
    /// column ("max_pooling2d_1 (MaxPooling2" in the tutorial table) as in "Connected to"
    /// ("tf_op_layer_l2_normalize/Square[0" in printed 2.4 tables).
    /// </summary>
    [Fact]
    public void LongNamesAreCutAtTheirColumns()
    {
        KerasBackend.ClearSession();
        var a = Keras.Input(shape: 4, name: "an_input_with_a_rather_long_name_indeed");
        var b = Keras.Input(shape: 4, name: "b");
        var first = new Dense(3, name: "a_dense_layer_whose_name_is_too_long_for_the_column");
        var y = first.Apply(a);
        var z = new Dense(2, name: "z").Apply(b);
        var rows = new Model([a, b], [y, z], name: "long_names").SummaryText().Split('\n');
        Assert.Contains("an_input_with_a_rather_long_nam [(None, 4)]          0                                            ", rows);
        Assert.Contains("a_dense_layer_whose_name_is_too (None, 3)            15          an_input_with_a_rather_long_name_", rows);
        Assert.Contains("z (Dense)                       (None, 2)            10          b[0][0]                          ", rows);
    }

    /// <summary>
    /// A frozen nested model: its row keeps its parameter count, and its weights count as non-trainable
    /// (count_params(model.trainable_weights), as the "vgg16 (Functional) ... Non-trainable params: 14,714,688"
    /// transfer-learning tables show); a layer reached twice counts once.
    /// </summary>
    [Fact]
    public void FrozenNestedModelCountsAsNonTrainable()
    {
        KerasBackend.ClearSession();
        var baseIn = Keras.Input(shape: 6);
        var baseModel = new Model(baseIn, new Dense(4).Apply(baseIn), name: "base");
        baseModel.Trainable = false;
        var seq = new Sequential([baseModel, new Dense(2)]);
        var rows = seq.SummaryText().Split('\n');
        Assert.Equal("base (Functional)            (None, 4)                 28        ", rows[4]);
        Assert.Equal("dense_1 (Dense)              (None, 2)                 10        ", rows[6]);
        Assert.Equal("Total params: 38", rows[8]);
        Assert.Equal("Trainable params: 10", rows[9]);
        Assert.Equal("Non-trainable params: 28", rows[10]);

        var outer = new Sequential([seq, new Dense(1, name: "out")], name: "outer");
        rows = outer.SummaryText().Split('\n');
        Assert.Equal("sequential (Sequential)      (None, 2)                 38        ", rows[4]);
        Assert.Equal("Total params: 41", rows[8]);
        Assert.Equal("Trainable params: 13", rows[9]);
    }

    /// <summary>Keras's line_length and positions arguments (relative, or absolute when the last is above 1).</summary>
    [Fact]
    public void LineLengthAndPositions()
    {
        KerasBackend.ClearSession();
        var model = SummaryTests.Tutorial();
        var rows = model.SummaryText(lineLength: 40, positions: [10, 30, 40]).Split('\n');
        Assert.Equal(new string('_', 40), rows[1]);
        Assert.Equal("Layer (ty Output Shape        Param #   ", rows[2]);
        Assert.Equal("conv2d (C (None, 62, 62, 32)  896       ", rows[4]);
        Assert.Throws<ArgumentException>(() => model.SummaryText(positions: [.5, 1.0]));
    }
}

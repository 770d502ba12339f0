#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Saving;

namespace KerasNet.Tests.Layers;

/// <summary>
/// Regularizers and constraints: names and configs as tf.keras 1, 2.4 and 3 write them, unknown classes kept, the
/// refusals training gives for those (the known ones are applied: RegularizationTrainingTests).
/// </summary>
public class RegularizerConstraintTests
{
    [Theory]
    // tf.keras 2.4 casts factors to float32 and writes float() of them; Keras 3 keeps the Python float.
    [InlineData("l1", "L1", """{"l1": 0.009999999776482582}""", """{"l1": 0.01}""")]
    [InlineData("l2", "L2", """{"l2": 0.009999999776482582}""", """{"l2": 0.01}""")]
    [InlineData("L1L2", "L1L2", """{"l1": 0.0, "l2": 0.0}""", """{"l1": 0.0, "l2": 0.0}""")]
    [InlineData("l1_l2", "L1L2", """{"l1": 0.009999999776482582, "l2": 0.009999999776482582}""", """{"l1": 0.01, "l2": 0.01}""")]
    public void RegularizerNamesAndConfigs(string name, string className, string keras2, string keras3)
    {
        var r = Regularizer.Get(name);
        Assert.Equal(className, r.ClassName);
        Assert.Equal($$"""{"class_name": "{{className}}", "config": {{keras2}}}""", PyJson.Dumps(r.ToKeras2Json()));
        Assert.Equal($$"""{"module": "keras.regularizers", "class_name": "{{className}}", "config": {{keras3}}, "registered_name": null}""",
            PyJson.Dumps(r.ToKeras3Json()));
    }

    [Fact]
    public void RegularizersReadFromEveryFormKeepTheirNumbers()
    {
        var k2 = Assert.IsType<L2>(Regularizer.FromJson(JsonNode.Parse("""{"class_name": "L2", "config": {"l2": 0.0010000000474974513}}""")));
        Assert.Equal("""{"l2": 0.0010000000474974513}""", PyJson.Dumps(k2.GetConfig()));
        var k3 = Assert.IsType<L1L2>(Regularizer.FromJson(JsonNode.Parse("""{"module": "keras.regularizers", "class_name": "L1L2", "config": {"l1": 0.001, "l2": 0.01}, "registered_name": null}""")));
        Assert.Equal((0.001, 0.01), (k3.L1Factor, k3.L2Factor));
        Assert.Equal("""{"module": "keras.regularizers", "class_name": "L1L2", "config": {"l1": 0.001, "l2": 0.01}, "registered_name": null}""", PyJson.Dumps(k3.ToKeras3Json()));
        // Keras 1: {"name": ..., fields}; Keras 2.2's "l" for the factor.
        var k1 = Assert.IsType<L1L2>(Regularizer.FromJson(JsonNode.Parse("""{"name": "L1L2Regularizer", "l1": 0.0, "l2": 0.01}""")));
        Assert.Equal((0.0, 0.01), (k1.L1Factor, k1.L2Factor));
        Assert.Equal(0.5, Assert.IsType<L1>(Regularizer.FromJson(JsonNode.Parse("""{"class_name": "L1", "config": {"l": 0.5}}"""))).Factor);
        var custom = Assert.IsType<UnknownRegularizer>(Regularizer.FromJson(JsonNode.Parse("""{"class_name": "Custom>Smooth", "config": {"weight": 0.5}}""")));
        Assert.Equal("""{"class_name": "Custom>Smooth", "config": {"weight": 0.5}}""", PyJson.Dumps(custom.ToKeras2Json()));
        Assert.Throws<KerasNetException>(() => Regularizer.Get("l3"));
    }

    [Theory]
    [InlineData("max_norm", "MaxNorm", """{"max_value": 2.0, "axis": 0}""")]
    [InlineData("maxnorm", "MaxNorm", """{"max_value": 2.0, "axis": 0}""")]
    [InlineData("NonNeg", "NonNeg", "{}")]
    [InlineData("non_neg", "NonNeg", "{}")]
    [InlineData("unit_norm", "UnitNorm", """{"axis": 0}""")]
    [InlineData("min_max_norm", "MinMaxNorm", """{"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}""")]
    public void ConstraintNamesAndConfigs(string name, string className, string config)
    {
        var k = Constraint.Get(name);
        Assert.Equal(className, k.ClassName);
        Assert.Equal($$"""{"class_name": "{{className}}", "config": {{config}}}""", PyJson.Dumps(k.ToKeras2Json()));
        Assert.Equal($$"""{"module": "keras.constraints", "class_name": "{{className}}", "config": {{config}}, "registered_name": null}""",
            PyJson.Dumps(k.ToKeras3Json()));
    }

    [Fact]
    public void ConstraintsKeepTheirAxesAndNumbers()
    {
        Assert.Equal("""{"max_value": 3.0, "axis": [0, 1, 2]}""", PyJson.Dumps(new MaxNorm(3, 0, 1, 2).GetConfig()));
        var read = Assert.IsType<MaxNorm>(Constraint.FromJson(JsonNode.Parse("""{"class_name": "MaxNorm", "config": {"max_value": 3, "axis": [0, 1, 2]}}""")));
        Assert.Equal(3.0, read.MaxValue);
        Assert.Equal(new[] { 0, 1, 2 }, read.Axis);
        Assert.Equal("""{"max_value": 3, "axis": [0, 1, 2]}""", PyJson.Dumps(read.GetConfig()));
        var k1 = Assert.IsType<MinMaxNorm>(Constraint.FromJson(JsonNode.Parse("""{"name": "MinMaxNorm", "low": 0.5, "high": 2.0, "rate": 0.5, "axis": 1}""")));
        Assert.Equal((0.5, 2.0, 0.5), (k1.MinValue, k1.MaxValue, k1.Rate));
        Assert.Equal(new[] { 1 }, k1.Axis);
        var e = Assert.Throws<KerasNetException>(() => Constraint.FromJson(JsonNode.Parse("""{"class_name": "UnitNorm", "config": {"axis": "rows"}}""")));
        Assert.Equal("UnitNorm: field 'axis' should be an integer or a list of integers, got \"rows\".", e.Message);
    }

    [Fact]
    public void TrainingIsRefusedOnlyForClassesKerasNetDoesNotImplement()
    {
        KerasBackend.ClearSession();
        var custom = Regularizer.FromJson(JsonNode.Parse("""{"class_name": "Smooth", "config": {}}"""));
        var d = new Dense(3, kernelRegularizer: custom);
        Assert.Equal("Layer 'dense' has kernel_regularizer Smooth, which KerasNet does not implement; " +
            "set the layer's KernelRegularizer to null to train without it (inference is not affected).", d.TrainingRefusal());
        var e = Assert.Throws<KerasNetException>(() => KernelLayer.CheckTrainable([new Flatten(), d]));
        Assert.Equal(d.TrainingRefusal(), e.Message);
        d.KernelRegularizer = "l2";
        Assert.Null(d.TrainingRefusal());
        KernelLayer.CheckTrainable([d]);

        var clip = Constraint.FromJson(JsonNode.Parse("""{"name": "Clip", "c": 1}"""));
        var c = new Conv2D(2, (3, 3), name: "conv", activityRegularizer: custom, biasConstraint: clip, kernelRegularizer: "l1_l2", kernelConstraint: "max_norm");
        Assert.StartsWith("Layer 'conv' has activity_regularizer Smooth, which KerasNet does not implement;", c.TrainingRefusal());
        c.ActivityRegularizer = new L1(0.1);
        Assert.StartsWith("Layer 'conv' has bias_constraint Clip, which KerasNet does not implement; set the layer's BiasConstraint", c.TrainingRefusal());
        c.BiasConstraint = new NonNeg();
        Assert.Null(c.TrainingRefusal());
        // Zero factors (Keras 1 configs often carry them) add nothing to the loss.
        Assert.Null(new Dense(2, kernelRegularizer: new L1L2(0, 0), biasRegularizer: new L2(0)).TrainingRefusal());

        // Evaluate's loss includes the penalties too (tf.keras 2.4's test_step), so it refuses what it cannot compute;
        // Predict does not need them.
        var m = new KerasNet.Models.Sequential();
        m.Add(new Dense(2, inputShape: 3, name: "d", kernelRegularizer: custom));
        m.Compile("sgd", "mse");
        var x = new KerasNet.Engine.Tensor(2, 3);
        var y = new KerasNet.Engine.Tensor(2, 2);
        var ev = Assert.Throws<KerasNetException>(() => m.Evaluate(new KerasNet.Data.ArraySequence(x, y, 2), verbose: 0));
        Assert.Equal("Layer 'd' weight 'kernel' has regularizer Smooth, which KerasNet does not implement, so the loss Keras would report " +
            "(its penalty included) cannot be computed; set the layer's regularizer to null (inference is not affected).", ev.Message);
        Assert.Equal(2, m.Predict(x).Shape[0]);
    }

    [Fact]
    public void TheLayerHandsItsRegularizersAndConstraintsToItsVariables()
    {
        KerasBackend.ClearSession();
        var d = new Dense(3, kernelRegularizer: "l2", biasConstraint: "non_neg");
        d.Build([4]);
        Assert.IsType<L2>(d.Kernel!.Regularizer);
        Assert.Null(d.Kernel.Constraint);
        Assert.IsType<NonNeg>(d.Bias!.Constraint);
        // Set after building (LayerRegistry reads a config's into a built-or-not layer): the variables follow.
        d.KernelConstraint = new UnitNorm();
        d.BiasRegularizer = new L1(0.2);
        d.KernelRegularizer = null;
        Assert.IsType<UnitNorm>(d.Kernel.Constraint);
        Assert.IsType<L1>(d.Bias.Regularizer);
        Assert.Null(d.Kernel.Regularizer);
        Assert.True(d.Bias.IsRegularized);
        Assert.False(new Dense(1, biasRegularizer: new L1L2(0, 0)).Also(l => l.Build([1])).Bias!.IsRegularized);
    }

    [Theory]
    // Keras 2 class form, Keras 3 module form, Keras 1 {"name": ..., fields}, and names.
    [InlineData("""{"class_name": "L1L2", "config": {"l1": 0.5, "l2": 0.25}}""", "L1L2", 0.5, 0.25)]
    [InlineData("""{"module": "keras.regularizers", "class_name": "L1L2", "config": {"l1": 0.5, "l2": 0.25}, "registered_name": null}""", "L1L2", 0.5, 0.25)]
    [InlineData("""{"name": "WeightRegularizer", "l1": 0.5, "l2": 0.25}""", "L1L2", 0.5, 0.25)]
    [InlineData("""{"name": "ActivityRegularizer", "l1": 0.5, "l2": 0.0}""", "L1L2", 0.5, 0.0)]
    [InlineData("""{"class_name": "L1", "config": {"l1": 0.5}}""", "L1", 0.5, 0.0)]
    [InlineData("""{"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.25}, "registered_name": null}""", "L2", 0.0, 0.25)]
    [InlineData("\"l1_l2\"", "L1L2", 0.01, 0.01)]
    public void RegularizersOfEveryKerasFormAreRead(string json, string className, double l1, double l2)
    {
        var r = Regularizer.FromJson(JsonNode.Parse(json))!;
        Assert.Equal(className, r.ClassName);
        Assert.Equal((l1, l2), r switch
        {
            L1L2 b => (b.L1Factor, b.L2Factor),
            L1 a => (a.Factor, 0.0),
            L2 c => (0.0, c.Factor),
            _ => throw new InvalidOperationException(),
        });
        // Written back in tf.keras 2.4's form and read again: the same object.
        var again = Regularizer.FromJson(r.ToKeras2Json())!;
        Assert.Equal(PyJson.Dumps(r.ToKeras2Json()), PyJson.Dumps(again.ToKeras2Json()));
        Assert.Equal(PyJson.Dumps(r.ToKeras3Json()), PyJson.Dumps(Regularizer.FromJson(r.ToKeras3Json())!.ToKeras3Json()));
    }

    [Fact]
    public void OrthogonalRegularizerAndRadialConstraintConfigs()
    {
        var o = Assert.IsType<OrthogonalRegularizer>(Regularizer.FromJson(JsonNode.Parse(
            """{"module": "keras.regularizers", "class_name": "OrthogonalRegularizer", "config": {"factor": 0.02, "mode": "columns"}, "registered_name": null}""")));
        Assert.Equal((0.02, "columns"), (o.Factor, o.Mode));
        Assert.Equal("""{"module": "keras.regularizers", "class_name": "OrthogonalRegularizer", "config": {"factor": 0.02, "mode": "columns"}, "registered_name": null}""",
            PyJson.Dumps(o.ToKeras3Json()));
        Assert.Equal("""{"class_name": "OrthogonalRegularizer", "config": {"factor": 0.01, "mode": "rows"}}""", PyJson.Dumps(Regularizer.Get("orthogonal_regularizer").ToKeras2Json()));
        Assert.Equal("OrthogonalRegularizer: mode must be \"rows\" or \"columns\", got \"diagonal\".",
            Assert.Throws<KerasNetException>(() => new OrthogonalRegularizer(0.1, "diagonal")).Message);
        var r = Assert.IsType<RadialConstraint>(Constraint.FromJson(JsonNode.Parse("""{"class_name": "RadialConstraint", "config": {}}""")));
        Assert.Equal("""{"class_name": "RadialConstraint", "config": {}}""", PyJson.Dumps(r.ToKeras2Json()));
        Assert.IsType<RadialConstraint>(Constraint.Get("radial_constraint"));
        var k3 = Assert.IsType<MaxNorm>(Constraint.FromJson(JsonNode.Parse(
            """{"module": "keras.constraints", "class_name": "MaxNorm", "config": {"max_value": 3, "axis": [0, 1, 2]}, "registered_name": null}""")));
        Assert.Equal("""{"module": "keras.constraints", "class_name": "MaxNorm", "config": {"max_value": 3, "axis": [0, 1, 2]}, "registered_name": null}""",
            PyJson.Dumps(k3.ToKeras3Json()));
        var k1 = Assert.IsType<MaxNorm>(Constraint.FromJson(JsonNode.Parse("""{"name": "MaxNorm", "m": 4, "axis": 1}""")));
        Assert.Equal((4.0, 1), (k1.MaxValue, k1.Axis[0]));
    }

    [Fact]
    public void UnknownInitializerMarksItsWeightsUntilTheyAreAssigned()
    {
        KerasBackend.ClearSession();
        var init = Initializer.FromJson(JsonNode.Parse("""{"class_name": "MyInit", "config": {}}"""));
        for (int i = 0; i < 3; i++) new Dense(1); // dense, dense_1, dense_2
        var d = new Dense(2, kernelInitializer: init);
        d.Build([3]);
        Assert.Equal("dense_3", d.Name);
        Assert.Equal("MyInit", d.Kernel!.UninitializedBy);
        Assert.Null(d.Bias!.UninitializedBy);
        var e = Assert.Throws<KerasNetException>(() => Initializer.CheckTrainable(d.TrainableWeights));
        Assert.Equal("Layer 'dense_3' weight 'kernel' uses initializer 'MyInit', which KerasNet does not implement; " +
            "load the weights (LoadWeights/LoadModel) before training, or use a supported initializer.", e.Message);
        d.SetWeights([new float[6], new float[2]]);
        Assert.Null(d.Kernel.UninitializedBy);
        Initializer.CheckTrainable(d.TrainableWeights);
    }
}

internal static class LayerTestExtensions
{
    /// <summary>Runs an action on a value and returns it (builds a layer inside an expression).</summary>
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}

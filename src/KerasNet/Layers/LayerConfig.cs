#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

/// <summary>Config fields shared by layers with kernels (tf.keras 2.4 order).</summary>
internal static class LayerConfig
{
    public static JsonObject InitializerJson(Initializer init) =>
        new() { ["class_name"] = init.ClassName, ["config"] = init.GetConfig() };

    public static void AddInitializersAndRegularizers(JsonObject c, Initializer kernel, Initializer bias, bool activityRegularizer)
    {
        c["kernel_initializer"] = InitializerJson(kernel);
        c["bias_initializer"] = InitializerJson(bias);
        c["kernel_regularizer"] = null;
        c["bias_regularizer"] = null;
        if (activityRegularizer) c["activity_regularizer"] = null;
        c["kernel_constraint"] = null;
        c["bias_constraint"] = null;
    }
}

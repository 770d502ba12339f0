#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

/// <summary>Config fields shared by layers with kernels (tf.keras 2.4 order).</summary>
internal static class LayerConfig
{
    /// <summary>tf.keras 2.4's form of an optional initializer, regularizer or constraint (null when unset).</summary>
    public static JsonNode? Keras2Json(KerasObject? o) => o?.ToKeras2Json();

    public static void AddInitializersAndRegularizers(JsonObject c, KernelLayer layer, bool activityRegularizer)
    {
        c["kernel_initializer"] = Keras2Json(layer.KernelInitializer);
        c["bias_initializer"] = Keras2Json(layer.BiasInitializer);
        c["kernel_regularizer"] = Keras2Json(layer.KernelRegularizer);
        c["bias_regularizer"] = Keras2Json(layer.BiasRegularizer);
        if (activityRegularizer) c["activity_regularizer"] = Keras2Json(layer.ActivityRegularizer);
        c["kernel_constraint"] = Keras2Json(layer.KernelConstraint);
        c["bias_constraint"] = Keras2Json(layer.BiasConstraint);
    }
}

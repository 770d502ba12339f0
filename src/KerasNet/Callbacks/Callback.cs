#nullable enable
using KerasNet.Models;

namespace KerasNet.Callbacks;

/// <summary>Hooks called during Fit, like <c>keras.callbacks.Callback</c>. Logs map names ("loss", "val_accuracy") to values.</summary>
public abstract class Callback
{
    /// <summary>The model being trained (set by Fit).</summary>
    public Model? Model { get; internal set; }

    /// <summary>Before the first epoch.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='logs']"/>
    public virtual void OnTrainBegin(IDictionary<string, double> logs) { }
    /// <summary>After the last epoch.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='logs']"/>
    public virtual void OnTrainEnd(IDictionary<string, double> logs) { }
    /// <summary>At the start of an epoch (0-based).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='logs']"/>
    public virtual void OnEpochBegin(int epoch, IDictionary<string, double> logs) { }
    /// <summary>At the end of an epoch, with training and validation logs.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='logs']"/>
    public virtual void OnEpochEnd(int epoch, IDictionary<string, double> logs) { }
    /// <summary>Before a training batch.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='logs']"/>
    public virtual void OnTrainBatchBegin(int batch, IDictionary<string, double> logs) { }
    /// <summary>After a training batch, with the running averages.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='logs']"/>
    public virtual void OnTrainBatchEnd(int batch, IDictionary<string, double> logs) { }
}

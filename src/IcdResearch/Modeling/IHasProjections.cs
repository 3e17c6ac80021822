using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// A block whose linear projections live in swappable <c>Module&lt;Tensor,Tensor&gt;</c> fields, so LoRA/QLoRA
/// can wrap or replace them (<see cref="CausalLM.ReplaceProjection"/>).
/// </summary>
public interface IHasProjections
{
    /// <summary>Local names (e.g. <c>q_proj</c>) and the modules currently in those slots.</summary>
    IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> Projections();

    /// <summary>Swaps both the field and the registered submodule called <paramref name="name"/>.</summary>
    void ReplaceProjection(string name, nn.Module<Tensor, Tensor> replacement);
}

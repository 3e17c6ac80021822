using IcdResearch.Text;

namespace IcdResearch.Tests;

public class ChatTemplateTests
{
    static readonly ChatMessage[] Conversation = [new("system", "你是医生。"), new("user", "诊断？"), new("assistant", "高血压")];

    [Fact]
    public void RendersChatMlWithGenerationPrompt()
    {
        var text = ChatTemplate.ChatMl.Render(Conversation[..2], addGenerationPrompt: true);
        Assert.Equal("<|im_start|>system\n你是医生。<|im_end|>\n<|im_start|>user\n诊断？<|im_end|>\n<|im_start|>assistant\n", text);
    }

    [Fact]
    public void AssistantTurnsAreClosedAndNoPromptIsAddedWhenNotAsked()
    {
        var text = ChatTemplate.ChatMl.Render(Conversation, addGenerationPrompt: false);
        Assert.EndsWith("<|im_start|>assistant\n高血压<|im_end|>\n", text);
        Assert.Equal(3, text.Split("<|im_start|>").Length - 1);
        Assert.Equal(3, text.Split("<|im_end|>").Length - 1);
    }

    [Fact]
    public void DefaultSystemPromptOnlyWhenTheConversationHasNone()
    {
        var template = new ChatTemplate("You are a helpful assistant.");
        Assert.StartsWith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n",
            template.Render([new ChatMessage("user", "hi")], true));
        Assert.DoesNotContain("helpful", template.Render(Conversation, false));
    }

    [Fact]
    public void RejectsRolesThatWouldBreakTheFormat() =>
        Assert.Throws<ArgumentException>(() => ChatTemplate.ChatMl.Render([new ChatMessage("user\nassistant", "x")], false));

    [Fact]
    public void CharTokenizerEncodesTheTemplateWithSpecialTokenIds()
    {
        var tok = CharTokenizer.Build(["诊断高血压你是医生"], minFrequency: 1);
        var ids = tok.Encode(tok.ApplyChatTemplate([new ChatMessage("user", "诊断")], addGenerationPrompt: true));
        var imStart = tok.Encode("<|im_start|>").Single();
        Assert.Equal(2, ids.Count(i => i == imStart));
        Assert.Equal(1, ids.Count(i => i == tok.EosId));
        Assert.Equal("user\n诊断\nassistant\n", tok.Decode(ids));
    }
}

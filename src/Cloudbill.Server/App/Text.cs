namespace Cloudbill.Server.App;

/// <summary>
/// The app's strings: Text.resx (English, the labels of docs/procedures.md) and Text.zh-CN.resx (Simplified
/// Chinese). Keys are the English text, so a page reads like the screen it renders.
/// </summary>
public sealed class Text;

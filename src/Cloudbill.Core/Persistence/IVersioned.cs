namespace Cloudbill.Core.Persistence;

/// <summary>
/// An entity with an optimistic concurrency version: every update bumps it and fails when
/// someone else updated the row first (a second payer, a second engine node).
/// </summary>
public interface IVersioned
{
    long Version { get; set; }
}

namespace Cloudbill.Core.Instances;

/// <summary>R1.4: the status as the API reports it, plus Released for the app's history views.</summary>
public enum InstanceStatus
{
    Creating,
    Normal,
    WaitForExpire,
    Expired,
    Released,
}

/// <summary>Whether the resource is serving (R1.5: grace days still run; suspended keeps the data).</summary>
public enum InstancePhase
{
    Running,
    Suspended,
    Released,
}

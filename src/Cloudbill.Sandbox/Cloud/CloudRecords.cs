namespace Cloudbill.Sandbox.Cloud;

/// <summary>What the simulated cloud did with a resource, as its page shows it.</summary>
internal enum CloudResourceState
{
    Creating,
    Running,
    Stopped,
    Deleted,

    /// <summary>Cloudbill refused the "created" report (the instance was released meanwhile, say).</summary>
    Refused,
}

/// <summary>One webhook the simulated cloud accepted (verified, not a repeat).</summary>
internal sealed class CloudEventRecord
{
    public required string Id { get; set; }
    public required string Type { get; set; }
    public string? InstanceId { get; set; }
    public required DateTimeOffset ReceivedAt { get; set; }

    /// <summary>What the cloud did about it, in words.</summary>
    public required string Action { get; set; }
}

/// <summary>A resource of the simulated cloud: one per instance Cloudbill asked it to create.</summary>
internal sealed class CloudResourceRecord
{
    public required string InstanceId { get; set; }
    public required long AccountId { get; set; }
    public required string Product { get; set; }
    public required string Spec { get; set; }
    public required string Region { get; set; }
    public required string Name { get; set; }
    public CloudResourceState State { get; set; }
    public required DateTimeOffset ChangedAt { get; set; }

    /// <summary>Reports of "created" that got no usable answer (tried again).</summary>
    public int FailedReports { get; set; }
}

/// <summary>A "created" report still to make to Cloudbill's provider API.</summary>
internal sealed class CloudCallbackJob
{
    public required string InstanceId { get; set; }
    public required DateTimeOffset NextAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
}

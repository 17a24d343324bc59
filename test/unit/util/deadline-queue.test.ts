import { DeadlineLink, DeadlineQueue } from "../../../core/util/deadline-queue";

interface Named {
  name: string;
}

function entry(name: string): DeadlineLink<Named> {
  return new DeadlineLink<Named>({ name });
}

describe("DeadlineQueue (shared heartbeat, connect and upgrade timers)", () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it("fires each entry once after its delay, in scheduling order, with one timer", () => {
    const fired: string[] = [];
    const queue = new DeadlineQueue<Named>(100, (e) => fired.push(e.name));
    const a = entry("a");
    const b = entry("b");
    queue.schedule(a);
    jest.advanceTimersByTime(40);
    queue.schedule(b);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(59);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual(["a"]);
    jest.advanceTimersByTime(40);
    expect(fired).toEqual(["a", "b"]);
    expect(jest.getTimerCount()).toBe(0);
    expect(a.scheduled).toBe(false);
  });

  it("rescheduling moves an entry to the back with a new deadline (refresh)", () => {
    const fired: string[] = [];
    const queue = new DeadlineQueue<Named>(100, (e) => fired.push(e.name));
    const a = entry("a");
    const b = entry("b");
    queue.schedule(a);
    queue.schedule(b);
    jest.advanceTimersByTime(50);
    queue.schedule(a); // a proved alive: due at 150 now
    jest.advanceTimersByTime(50);
    expect(fired).toEqual(["b"]);
    jest.advanceTimersByTime(50);
    expect(fired).toEqual(["b", "a"]);
  });

  it("cancel removes an entry; an emptied queue keeps its timer, unreferenced, firing nothing", () => {
    const fired: string[] = [];
    const queue = new DeadlineQueue<Named>(100, (e) => fired.push(e.name));
    const a = entry("a");
    const b = entry("b");
    const c = entry("c");
    queue.schedule(a);
    queue.schedule(b);
    queue.schedule(c);
    queue.cancel(b);
    queue.cancel(b); // twice is harmless
    jest.advanceTimersByTime(100);
    expect(fired).toEqual(["a", "c"]);
    queue.schedule(a);
    queue.cancel(a);
    expect(queue.armedFor).toBeNull(); // nothing waits
    jest.advanceTimersByTime(1000);
    expect(fired).toEqual(["a", "c"]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("re-uses the timer of an emptied queue for the next entry (no new timer per entry)", () => {
    const fired: string[] = [];
    const queue = new DeadlineQueue<Named>(100, (e) => fired.push(e.name));
    const spy = jest.spyOn(global, "setTimeout");
    const a = entry("a");
    const b = entry("b");
    queue.schedule(a);
    queue.cancel(a);
    jest.advanceTimersByTime(10);
    queue.schedule(b);
    expect(spy).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(90); // the first deadline: b is not due yet, the timer re-arms
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(10);
    expect(fired).toEqual(["b"]);
    spy.mockRestore();
  });

  it("stop() clears the timer; a later schedule arms a new one", () => {
    const fired: string[] = [];
    const queue = new DeadlineQueue<Named>(50, (e) => fired.push(e.name));
    queue.schedule(entry("a"));
    queue.stop();
    expect(jest.getTimerCount()).toBe(0);
    queue.schedule(entry("b"));
    jest.advanceTimersByTime(50);
    expect(fired).toEqual(["a", "b"]);
  });

  it("scheduling in another queue moves the entry out of the first", () => {
    const fired: string[] = [];
    const onExpire = (e: Named): void => void fired.push(e.name);
    const ping = new DeadlineQueue<Named>(100, onExpire);
    const timeout = new DeadlineQueue<Named>(30, onExpire);
    const a = entry("a");
    ping.schedule(a);
    timeout.schedule(a);
    expect(a.waitingIn).toBe(timeout);
    jest.advanceTimersByTime(30);
    expect(fired).toEqual(["a"]);
    jest.advanceTimersByTime(100);
    expect(fired).toEqual(["a"]);
  });

  it("an entry rescheduled from its own expiry callback fires again later", () => {
    let count = 0;
    const queue: DeadlineQueue<Named> = new DeadlineQueue<Named>(10, () => {
      count++;
      if (count < 3) queue.schedule(a);
    });
    const a = entry("a");
    queue.schedule(a);
    jest.advanceTimersByTime(100);
    expect(count).toBe(3);
    expect(jest.getTimerCount()).toBe(0);
  });
});

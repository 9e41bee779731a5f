import { ValidationFailedError } from '../../../common/errors.js';
import { EVENT_TYPES } from '../dto/household.dto.js';
import { BirthEventDto, DeathEventDto, LIFE_EVENT_DTOS, MemberJoinedEventDto } from '../dto/life-events.dto.js';
import { HouseholdsService } from '../households.service.js';
import { InvalidEventDataError, MissingEventHandlerError } from '../registry.errors.js';
import { RegistryRepository } from '../registry.repository.js';
import { allHandlers, handlerRegistry } from './life-event-handlers.js';
import { LifeEventPipe } from './life-event.pipe.js';

const PERSON = '0190a5f1-7c3e-7000-8000-000000000001';

describe('life event handlers', () => {
  // The handlers are only built here, never run: their dependencies are not called.
  const deps = { repository: new RegistryRepository(), households: Object.create(HouseholdsService.prototype) };
  const handlers = allHandlers(deps, () => undefined);

  it('has exactly one handler per type', () => {
    const registry = handlerRegistry(handlers);
    expect([...registry.keys()].sort()).toEqual([...EVENT_TYPES].sort());
    for (const [type, handler] of registry) expect(handler.type).toBe(type);
  });

  it('refuses to start with a type left without a handler, or handled twice', () => {
    expect(() => handlerRegistry(handlers.filter((h) => h.type !== 'MOVE_OUT'))).toThrow(MissingEventHandlerError);
    expect(() => handlerRegistry(handlers.filter((h) => h.type !== 'MOVE_OUT'))).toThrow(/MOVE_OUT/);
    expect(() => handlerRegistry([...handlers, handlers[0]])).toThrow(/BIRTH \(twice\)/);
  });

  it('names the later events a withdrawal waits for', () => {
    const registry = handlerRegistry(handlers);
    expect(registry.get('MOVE_IN')!.dependents).toEqual({ types: ['MOVE_IN', 'MOVE_OUT'], of: 'person' });
    expect(registry.get('BIRTH')!.dependents).toEqual({ types: 'ALL', of: 'person' });
    expect(registry.get('CERTIFICATE_ISSUED')!.dependents.of).toBe('household');
  });
});

describe('LifeEventPipe', () => {
  const pipe = new LifeEventPipe();
  const refusal = async (body: unknown) => {
    try {
      await pipe.transform(body);
    } catch (error) {
      return error as InvalidEventDataError | ValidationFailedError;
    }
    throw new ValidationFailedError([{ field: 'body', message: 'the pipe accepted it' }]);
  };

  it('turns each body into the class of its type', async () => {
    expect(Object.keys(LIFE_EVENT_DTOS).sort()).toEqual([...EVENT_TYPES].sort());
    const death = await pipe.transform({ type: 'DEATH', personId: PERSON, date: '2012-01-01' });
    expect(death).toBeInstanceOf(DeathEventDto);
    const emptyData = await pipe.transform({ type: 'DEATH', personId: PERSON, date: '2012-01-01', data: {} });
    expect(emptyData).toBeInstanceOf(DeathEventDto);
    const birth = await pipe.transform({
      type: 'BIRTH',
      date: '2012-01-01',
      data: { idNumber: '410102201201010011', name: '孩子', hukouType: 'RURAL' },
    });
    expect(birth).toBeInstanceOf(BirthEventDto);
    const joined = await pipe.transform({
      type: 'MEMBER_JOINED',
      date: '2012-01-01',
      data: { member: { idNumber: '410102198001010018', name: '张三', relation: 'SPOUSE' } },
    });
    expect(joined).toBeInstanceOf(MemberJoinedEventDto);
    const lifted = await pipe.transform({
      type: 'DISABILITY_ASSESSED',
      personId: PERSON,
      date: '2012-01-01',
      data: { grade: null },
    });
    expect(lifted).toMatchObject({ data: { grade: null } });
  });

  it('answers INVALID_EVENT_DATA (422) for data that does not fit the type, naming each field', async () => {
    const wrong = await refusal({
      type: 'HUKOU_CHANGE',
      personId: PERSON,
      date: '2012-01-01',
      data: { hukouType: 'X', extra: 1 },
    });
    expect(wrong).toBeInstanceOf(InvalidEventDataError);
    expect(wrong.status).toBe(422);
    expect(wrong.errors!.map((e) => e.field).sort()).toEqual(['data.extra', 'data.hukouType']);
    const missing = await refusal({ type: 'VIOLATION_RECORDED', date: '2012-01-01' });
    expect(missing.code).toBe('INVALID_EVENT_DATA');
    expect(new Set(missing.errors!.map((e) => e.field))).toEqual(new Set(['data']));
    const nested = await refusal({ type: 'MEMBER_JOINED', date: '2012-01-01', data: { member: { name: 1 } } });
    expect(nested.errors!.map((e) => e.field)).toEqual(
      expect.arrayContaining(['data.member.idNumber', 'data.member.name', 'data.member.relation']),
    );
    const array = await refusal({ type: 'MOVE_IN', personId: PERSON, date: '2012-01-01', data: ['洛阳'] });
    expect(array.code).toBe('INVALID_EVENT_DATA');
  });

  it('answers VALIDATION_FAILED (400) for the envelope', async () => {
    expect(await refusal('DEATH')).toMatchObject({ status: 400, errors: [{ field: 'body' }] });
    expect(await refusal({ date: '2012-01-01' })).toMatchObject({ status: 400, errors: [{ field: 'type' }] });
    expect(await refusal({ type: 'DEATH', date: '2012-01-01' })).toMatchObject({
      status: 400,
      errors: [{ field: 'personId' }],
    });
    expect(await refusal({ type: 'QUOTA_WAIVED', date: '12-01-01' })).toMatchObject({
      status: 400,
      errors: [{ field: 'date' }],
    });
    const extra = await refusal({ type: 'QUOTA_WAIVED', date: '2012-01-01', color: 'red' });
    expect(extra).toMatchObject({ status: 400, errors: [{ field: 'color' }] });
  });
});
